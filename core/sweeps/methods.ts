import { CONFIG_KEYS } from '../config/schema.js';

/**
 * The method ids a sweep may compare: whatever the config schema's `method` key accepts. Read
 * here, in one place, so methods registered later (a method registry feeding that key) are
 * accepted without touching the sweep code.
 */
export function knownMethodIds(): readonly string[] {
  const desc = CONFIG_KEYS.find((d) => d.key === 'method');
  return desc && desc.spec.kind === 'enum' ? desc.spec.values : [];
}
