import { z } from 'zod';
import { HEALTH_STATES } from '../../runtime/component.js';
import { RUNTIME_PHASES } from '../../runtime/runtime-manager.js';

export const AliveSchema = z.strictObject({ status: z.literal('ok') });
export type Alive = z.infer<typeof AliveSchema>;

export const ReadySchema = z.strictObject({ status: z.literal('ready') });
export type Ready = z.infer<typeof ReadySchema>;

export const ComponentHealthSchema = z
  .strictObject({
    status: z.enum(HEALTH_STATES),
    message: z.string().optional().meta({ description: 'Short detail, never a secret.' }),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ComponentHealth' });
export type ComponentHealth = z.infer<typeof ComponentHealthSchema>;

export const HealthSchema = z
  .strictObject({
    status: z.enum(HEALTH_STATES),
    phase: z.enum(RUNTIME_PHASES).meta({ description: 'Runtime phase.' }),
    components: z.record(z.string(), ComponentHealthSchema),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;

export const VersionSchema = z
  .strictObject({ name: z.literal('reposentry'), version: z.string(), node: z.string() })
  .meta({ id: 'Version' });
export type Version = z.infer<typeof VersionSchema>;
