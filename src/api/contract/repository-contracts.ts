import {
  PollAcceptedSchema,
  RepositoryDetailSchema,
  RepositoryListSchema,
  RepositoryParamsSchema,
} from '../schemas/repository-schemas.js';
import { NOT_FOUND, NO_QUERY, defineRoute, json, problem } from './route-contract.js';

export const REPOSITORY_LIST_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/repositories',
  summary: 'Every configured repository with its poll state.',
  tag: 'repositories',
  query: NO_QUERY,
  responses: { 200: json(RepositoryListSchema, 'Repositories in config order.') },
});

export const REPOSITORY_ROUTE = defineRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}',
  summary: 'One repository with its recorded refs and shas.',
  tag: 'repositories',
  params: RepositoryParamsSchema,
  query: NO_QUERY,
  responses: { 200: json(RepositoryDetailSchema, 'The repository.'), 404: NOT_FOUND },
});

export const POLL_ROUTE = defineRoute({
  method: 'post',
  path: '/api/v1/repositories/{name}/poll',
  summary: 'Poll the repository now.',
  tag: 'repositories',
  mutation: true,
  params: RepositoryParamsSchema,
  query: NO_QUERY,
  responses: {
    202: json(PollAcceptedSchema, 'Queued for polling now.'),
    404: NOT_FOUND,
    409: problem('A poll is already queued or running, or the repository is disabled.'),
    503: problem('The daemon is not running.'),
  },
});
