import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config';
import { Database } from '../db/database';
import { createEvaluateEvents, EvaluateEventJob } from '../rules/evaluate-event.job';
import { EventReactions } from '../rules/event-reactions';
import { OutboundWebhookSender } from '../rules/outbound-webhook';
import { ReactionQueue } from '../rules/reaction-queue';
import { RuleService } from '../rules/rule.service';
import type { HubPubSub } from '../subscriptions/hub-events';
import { MetricsHistoryService } from './metrics-history.service';
import { RfmService } from './rfm.service';

export interface AnalyticsServices {
  rfm: RfmService;
  metricsHistory: MetricsHistoryService;
  rules: RuleService;
  /** The after-commit reaction to one event (RFM re-scoring, rules), as the queue's worker runs it in batches. */
  evaluateEvent: (job: EvaluateEventJob) => Promise<void>;
  /** The same for a batch (what the worker runs): per job, null or its error. */
  evaluateEvents: (jobs: EvaluateEventJob[]) => Promise<Array<unknown | null>>;
  /** The durable reaction queues (`evaluate-event`, `rule-outbound-webhook`) on the webhook queue's pg-boss. */
  reactionQueue: ReactionQueue;
  /** Breaker state changes → the reaction queue. */
  reactions: EventReactions;
  /** Set by the runtime plugin so background failures reach the server's log. */
  analyticsLog: { current?: Pick<FastifyBaseLogger, 'warn' | 'error'> };
}

export function createAnalyticsServices(db: Database, config: Config, events: HubPubSub): AnalyticsServices {
  const analyticsLog: AnalyticsServices['analyticsLog'] = {};
  const rfm = new RfmService(db);
  const webhooks = new OutboundWebhookSender(config.ruleWebhooks, (e) =>
    events.publish('circuit-state', e.clientId, e),
  );
  const reactionQueue = new ReactionQueue(db, {
    queue: config.queue,
    batchSize: config.rules.queueBatchSize,
    webhooks: config.ruleWebhooks,
  });
  const rules = new RuleService(db, events, webhooks, reactionQueue, config.rules.cacheTtlMs);
  const evaluateEvents = createEvaluateEvents({ db, rfm, rules });
  reactionQueue.handle({
    evaluate: evaluateEvents,
    deliverWebhook: (job, attempt) => rules.deliverWebhook(job, attempt),
    webhookDeadLettered: (job) => rules.webhookDeadLettered(job),
  });
  return {
    rfm,
    metricsHistory: new MetricsHistoryService(db, config.metricsHistory),
    rules,
    evaluateEvents,
    evaluateEvent: async (job) => {
      const [err] = await evaluateEvents([job]);
      if (err) throw err;
    },
    reactionQueue,
    reactions: new EventReactions(events, reactionQueue, (err) =>
      analyticsLog.current?.error({ err }, 'event reactions stopped'),
    ),
    analyticsLog,
  };
}
