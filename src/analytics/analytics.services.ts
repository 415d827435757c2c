import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config';
import { Database } from '../db/database';
import { createEvaluateEvent, EvaluateEventJob } from '../rules/evaluate-event.job';
import { InProcessDispatcher } from '../rules/event-dispatcher';
import { EventReactions } from '../rules/event-reactions';
import { OutboundWebhookSender } from '../rules/outbound-webhook';
import { RuleService } from '../rules/rule.service';
import type { HubPubSub } from '../subscriptions/hub-events';
import { MetricsHistoryService } from './metrics-history.service';
import { RfmService } from './rfm.service';

export interface AnalyticsServices {
  rfm: RfmService;
  metricsHistory: MetricsHistoryService;
  rules: RuleService;
  /** The after-commit job handler: RFM re-scoring and rule evaluation for one event. */
  evaluateEvent: (job: EvaluateEventJob) => Promise<void>;
  /** Where jobs for `evaluateEvent` go (in-process now; the durable queue when merged). */
  reactionQueue: InProcessDispatcher;
  reactions: EventReactions;
  /** Set by the runtime plugin so background failures reach the server's log. */
  analyticsLog: { current?: Pick<FastifyBaseLogger, 'warn' | 'error'> };
}

export function createAnalyticsServices(db: Database, config: Config, events: HubPubSub): AnalyticsServices {
  const analyticsLog: AnalyticsServices['analyticsLog'] = {};
  const rfm = new RfmService(db);
  const webhooks = new OutboundWebhookSender(config.ruleWebhooks, (e) => events.publish('circuit-state', e.clientId, e));
  const rules = new RuleService(db, events, webhooks);
  const evaluateEvent = createEvaluateEvent({ db, rfm, rules });
  const reactionQueue = new InProcessDispatcher(evaluateEvent, (err, job) => analyticsLog.current?.error({ err, job }, 'event reaction failed'));
  return {
    rfm,
    metricsHistory: new MetricsHistoryService(db, config.metricsHistory),
    rules,
    evaluateEvent,
    reactionQueue,
    reactions: new EventReactions(events, reactionQueue, (err) => analyticsLog.current?.error({ err }, 'event reactions stopped')),
    analyticsLog,
  };
}
