// Prometheus metrics (prom-client), one registry per process: web and worker each expose their own /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  commands: Counter<'subcommand'>;
  ackSeconds: Histogram<'subcommand'>;
  jobs: Counter<'outcome'>;
  alerts: Counter<'outcome'>;
  diagnosisSeconds: Histogram<'source'>;
  engineSeconds: Histogram;
  findings: Counter<'category' | 'provider'>;
  slackApiErrors: Counter<'method' | 'code'>;
  queueJobs: Gauge<'state'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'registry_doctor_' });
  const registers = [registry];
  return {
    registry,
    commands: new Counter({
      name: 'registry_doctor_slack_commands_total',
      help: '/registry commands and modal submissions received, by subcommand',
      labelNames: ['subcommand'],
      registers,
    }),
    ackSeconds: new Histogram({
      name: 'registry_doctor_slack_ack_seconds',
      help: 'Time from a /registry command reaching the listener to its ack',
      labelNames: ['subcommand'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    jobs: new Counter({
      name: 'registry_doctor_jobs_total',
      help: 'Diagnose jobs by outcome: done, retrying, failed (for good), not_in_channel, invalid',
      labelNames: ['outcome'],
      registers,
    }),
    alerts: new Counter({
      name: 'registry_doctor_alerts_total',
      help: 'CI alert jobs by outcome: opened (a new thread), counted (aggregated), not_a_push_failure, no_channel, log_unavailable',
      labelNames: ['outcome'],
      registers,
    }),
    diagnosisSeconds: new Histogram({
      name: 'registry_doctor_diagnosis_seconds',
      help: 'Time from enqueue to the thread reply being posted',
      labelNames: ['source'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    engineSeconds: new Histogram({
      name: 'registry_doctor_engine_seconds',
      help: 'Time spent in the diagnosis engine for one job',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    findings: new Counter({
      name: 'registry_doctor_findings_total',
      help: 'Top findings posted, by category and provider',
      labelNames: ['category', 'provider'],
      registers,
    }),
    slackApiErrors: new Counter({
      name: 'registry_doctor_slack_api_errors_total',
      help: 'Slack Web API errors by method and error code (ratelimited, not_in_channel, http_500, …)',
      labelNames: ['method', 'code'],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'registry_doctor_queue_jobs',
      help: 'Jobs in the diagnose queue by state (sampled at scrape time)',
      labelNames: ['state'],
      registers,
    }),
  };
}
