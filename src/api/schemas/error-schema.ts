import { z } from 'zod';
import { ERROR_CODES } from '../../errors/reposentry-error.js';

/** Every error answer of the API: a stable code and a message, never a stack. */
export const ApiErrorSchema = z
  .strictObject({
    error: z.enum(ERROR_CODES).meta({
      description: 'Stable error code, e.g. `bad-request`, `not-found`, `unauthorized`.',
    }),
    message: z.string().meta({ description: 'What went wrong, naming the offending parameter.' }),
  })
  .meta({ id: 'Error' });
export type ApiError = z.infer<typeof ApiErrorSchema>;
