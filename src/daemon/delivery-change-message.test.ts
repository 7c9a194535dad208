import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../storage/delivery-record.js';
import type { DeliveryAttemptReport } from '../trigger/delivery-attempt-report.js';
import { deliveryChangeMessage } from './delivery-change-message.js';

const AT = new Date('2024-05-01T12:00:00Z');
const target = { eventId: 'evt-1', repository: 'app', targetUrl: 'http://el:8080/' };

describe('deliveryChangeMessage', () => {
  it('tells of a finished attempt with its number, latency, status code and error', () => {
    const report: DeliveryAttemptReport = {
      ...target,
      deliveryId: 7,
      attempt: 2,
      status: 'pending',
      sinceDetectedMs: 900,
      outcome: {
        ok: false,
        statusCode: 503,
        latencyMs: 12,
        retryable: true,
        error: 'HTTP 503',
        code: 'delivery-failed',
      },
    };
    expect(deliveryChangeMessage(report, AT)).toEqual({
      kind: 'delivery',
      change: {
        deliveryId: 7,
        ...target,
        status: 'pending',
        attempt: 2,
        latencyMs: 12,
        statusCode: 503,
        error: 'HTTP 503',
        at: AT,
      },
    });
  });

  it('leaves out what an attempt without an answer or an error does not have', () => {
    const report: DeliveryAttemptReport = {
      ...target,
      deliveryId: 7,
      attempt: 1,
      status: 'delivered',
      sinceDetectedMs: 900,
      outcome: { ok: true, latencyMs: 5, retryable: false, code: 'delivered' },
    };
    const { change } = deliveryChangeMessage(report, AT) as { change: object };
    expect(Object.keys(change)).not.toContain('statusCode');
    expect(Object.keys(change)).not.toContain('error');
  });

  it('tells of a redelivered delivery queued again, without attempt details', () => {
    const summary = {
      ...target,
      id: 7,
      ref: 'refs/heads/main',
      format: 'github',
      status: 'pending',
      attempts: 9,
      roundAttempts: 0,
      nextAttemptAt: 0,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
      createdAt: 0,
      queuedAt: 0,
      updatedAt: 0,
      deliveredAt: null,
    } satisfies DeliverySummary;
    expect(deliveryChangeMessage(summary, AT)).toEqual({
      kind: 'delivery',
      change: { deliveryId: 7, ...target, status: 'pending', at: AT },
    });
  });
});
