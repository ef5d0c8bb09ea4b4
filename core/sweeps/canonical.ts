/**
 * Identity of configs and trials. A canonical config is the full resolved config in schema
 * order with numbers written the one way JSON writes them, so two specs that reach the same
 * setting (a grid value equal to a default, a rounded sample) produce the same text. A trial is
 * keyed by the clip's content hash, that text and the metric set, so a rerun (or a second spec
 * covering the same ground) recognises work already done.
 */
import { createHash } from 'node:crypto';
import type { OmniZipConfig } from '../config/schema.js';
import { orderedConfig } from '../studio/export.js';

export function canonicalConfig(config: OmniZipConfig): string {
  return JSON.stringify(orderedConfig(config));
}

/** The metric set, order-independent. */
export function canonicalMetricSet(metrics: readonly string[]): string {
  return [...new Set(metrics)].sort().join(',');
}

export function trialKey(contentHash: string, config: OmniZipConfig, metrics: readonly string[]): string {
  return createHash('sha256')
    .update(`${contentHash}\n${canonicalConfig(config)}\n${canonicalMetricSet(metrics)}`)
    .digest('hex')
    .slice(0, 32);
}
