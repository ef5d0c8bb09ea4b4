/**
 * The single entry point both transports call: checks the method name and its params against the
 * contract before anything reaches the session, and turns every failure into the contract's error
 * payload (so a bad file or a hostile request never takes the host down).
 */
import { MethodUnavailableError } from '../methods/types.js';
import { ConfigError } from '../config/validate.js';
import { ContractError } from '../protocol/check.js';
import { hostMethods, isHostMethod, type HostMethod, type StudioErrorPayload } from '../protocol/contract.js';
import { StudioError } from './errors.js';
import type { EmitEvent, StudioSession } from './session.js';

export type DispatchOutcome = { ok: true; result: unknown } | { ok: false; error: StudioErrorPayload };

export function errorPayload(err: unknown): StudioErrorPayload {
  if (err instanceof StudioError) return { kind: err.kind, message: err.message };
  if (err instanceof ContractError) return { kind: 'bad-request', message: `request refused: ${err.message}` };
  if (err instanceof ConfigError) return { kind: 'bad-config', message: err.message };
  // A method that cannot run on this clip (FastV without decoder attention) is a setting problem.
  if (err instanceof MethodUnavailableError) return { kind: 'bad-config', message: err.message };
  if (err instanceof Error) return { kind: 'internal', message: `${err.name}: ${err.message}` };
  return { kind: 'internal', message: String(err) };
}

export async function dispatch(session: StudioSession, method: unknown, params: unknown, emit: EmitEvent): Promise<DispatchOutcome> {
  try {
    if (!isHostMethod(method)) throw new ContractError(`unknown method ${JSON.stringify(method)}`, 'method');
    const spec = hostMethods[method as HostMethod];
    const checked = spec.params.parse(params, 'params');
    const result = await session.handle(method, checked as never, emit);
    // Checking our own answer catches a drift between the core's types and the contract here,
    // with a field path, instead of as a blank chart in the renderer.
    return { ok: true, result: spec.result.parse(result, 'result') };
  } catch (err) {
    return { ok: false, error: errorPayload(err) };
  }
}
