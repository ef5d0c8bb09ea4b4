import { memo, useEffect, useState, type ReactNode } from 'react';
import { CONFIG_KEYS, DEFAULT_CONFIG, PRESETS, type ConfigKey, type ConfigKeyDescriptor, type OmniZipConfig } from '../../../core/config/schema.js';
import { DiscardSummary, keyShownFor, presetRetentionLabel, usePresetRetention } from '../compare/honest-budget.js';
import { usePlan } from '../hooks.js';
import { nextConfigVersion, noteInput } from '../perf.js';
import { useStudio } from '../store/index.js';
import { groupSecondsNote, judgeEntry } from './entry.js';
import { groupSpan } from '../plan-time.js';

/** Every config change goes through here: it is measured (perf) and replans at once (no Apply). */
export function change(patch: Partial<OmniZipConfig>, coalesceKey?: string): void {
  noteInput(nextConfigVersion());
  useStudio.getState().setConfig(patch, coalesceKey);
}

export function undo(): void {
  noteInput(nextConfigVersion());
  useStudio.getState().undo();
}

export function redo(): void {
  noteInput(nextConfigVersion());
  useStudio.getState().redo();
}

const SLIDER_MAX: Partial<Record<keyof OmniZipConfig, number>> = { g: 30, dpc_k: 16, seed: 100 };

function NumberControl({ d, value }: { d: ConfigKeyDescriptor; value: number | null }) {
  // What the user typed while it is not (yet) a valid value: shown with its problem, the config
  // keeps the last valid value. Cleared once the value changes (a valid entry, undo, a preset).
  const [draft, setDraft] = useState<{ text: string; message: string | null } | null>(null);
  useEffect(() => setDraft(null), [value]);
  if (d.spec.kind !== 'number') return null;
  const spec = d.spec;
  const step = spec.step ?? (spec.integer ? 1 : 0.01);
  const enter = (text: string, coalesce: boolean) => {
    // Checked against the config as it is when the entry is made, so the control need not re-render
    // on every other key's change.
    const verdict = judgeEntry(d, text, useStudio.getState().config);
    if (verdict.kind === 'valid') {
      setDraft(null);
      change({ [d.key]: verdict.value } as Partial<OmniZipConfig>, coalesce ? d.key : undefined);
    } else {
      setDraft({ text, message: verdict.kind === 'invalid' ? verdict.message : null });
    }
  };
  const auto = value === null;
  const sliderMax = Math.min(spec.max, SLIDER_MAX[d.key] ?? spec.max);
  const showSlider = !spec.nullable && sliderMax - spec.min <= 1000;
  return (
    <>
      <div className="control">
        {spec.nullable && (
          <label className="auto">
            <input
              type="checkbox"
              checked={auto}
              data-testid={`auto-${d.key}`}
              onChange={(e) => {
                setDraft(null);
                change({ [d.key]: e.target.checked ? null : spec.min >= 1 ? Math.max(spec.min, 2) : spec.min } as Partial<OmniZipConfig>);
              }}
            />
            auto
          </label>
        )}
        {showSlider && (
          <input
            type="range"
            aria-label={d.key}
            data-testid={`slider-${d.key}`}
            min={spec.min}
            max={sliderMax}
            step={step}
            value={value ?? spec.min}
            onChange={(e) => enter(e.target.value, true)}
          />
        )}
        <input
          type="number"
          aria-label={`${d.key} value`}
          aria-invalid={draft?.message ? true : undefined}
          data-testid={`input-${d.key}`}
          className={draft?.message ? 'invalid' : undefined}
          min={spec.min}
          max={spec.max}
          step={step}
          disabled={auto}
          value={draft ? draft.text : (value ?? '')}
          onChange={(e) => enter(e.target.value, true)}
        />
      </div>
      {draft?.message && (
        <p className="entry-error" role="alert" data-testid={`entry-error-${d.key}`}>
          {draft.message}; keeping {JSON.stringify(value)}
        </p>
      )}
    </>
  );
}

/** What group_seconds really planned, when the layout's chunks round it (e.g. 3 s -> 4-s groups). */
function GroupSecondsNote({ groupSeconds }: { groupSeconds: number | null }) {
  const plan = usePlan();
  const clip = useStudio((s) => s.clip);
  const first = plan && clip ? plan.groups.find((g) => g.guided) : undefined;
  const note = groupSecondsNote(groupSeconds, first && clip ? groupSpan(clip, first) : null);
  return note ? <p className="entry-note" data-testid="entry-note-group_seconds">{note}</p> : null;
}

/**
 * One config key: its control (slider/number, select or checkbox), help and official default.
 * Subscribed to its own key alone: a slider's input re-renders (and React re-commits) this one
 * control, not the panel around it.
 */
const Param = memo(function Param({ d }: { d: ConfigKeyDescriptor }) {
  const value: OmniZipConfig[ConfigKey] = useStudio((s) => s.config[d.key]);
  const departs = d.repair === true && value !== DEFAULT_CONFIG[d.key];
  return (
    <div className={`param${departs ? ' repaired' : ''}`} data-testid={`param-${d.key}`}>
      <div className="param-head">
        {d.spec.kind === 'boolean' ? (
          <label className="param-check">
            <input type="checkbox" data-testid={`check-${d.key}`} checked={value === true} onChange={(e) => change({ [d.key]: e.target.checked } as Partial<OmniZipConfig>)} />
            {d.label}
          </label>
        ) : (
          <label>{d.label}</label>
        )}
        {d.spec.kind === 'enum' ? (
          <select data-testid={`select-${d.key}`} value={String(value)} onChange={(e) => change({ [d.key]: e.target.value } as Partial<OmniZipConfig>)}>
            {d.spec.values.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        ) : null}
        {d.repair && <span className={`repair-state${departs ? ' on' : ''}`} data-testid={`repair-state-${d.key}`}>{departs ? 'repaired' : 'official'}</span>}
      </div>
      {d.spec.kind === 'number' && <NumberControl d={d} value={value as number | null} />}
      {d.key === 'group_seconds' && <GroupSecondsNote groupSeconds={value as number | null} />}
      <p className="help">{d.help}</p>
      <p className="official">default {JSON.stringify(DEFAULT_CONFIG[d.key])} · official: {d.official}</p>
    </div>
  );
});

/**
 * The panel's sections. The column is ~2850 px tall with every key open; each section folds, and
 * the budget summary above them stays in view (sticky) whatever is folded.
 */
const SECTIONS: { id: string; title: string; keys?: readonly string[]; help?: string }[] = [
  { id: 'budget', title: 'Method and budget', keys: ['method', 'variant', 'rho_audio', 'rho_video', 'budget'] },
  { id: 'audio', title: 'Audio selection', keys: ['g', 'contextual_ratio', 'audio_score', 'audio_selection'] },
  { id: 'video', title: 'Video ratios and grouping', keys: ['ratio_min', 'ratio_max', 'dpc_k', 'group_seconds', 'num_input_frames', 'seed'] },
  { id: 'other', title: 'Other settings' },
  {
    id: 'repairs',
    title: 'Repairs of official quirks (off = official behaviour)',
    help: 'Each switch departs from the official code in one place (see the algorithm notes, section 6); the presets above set all of them to the official behaviour or to what the paper describes.',
  },
];

function sectionOf(d: ConfigKeyDescriptor): string {
  if (d.repair) return 'repairs';
  return SECTIONS.find((s) => s.keys?.includes(d.key))?.id ?? 'other';
}

const folded = new Set<string>();

function Section({ id, title, className, children }: { id: string; title: string; className: string; children: ReactNode }) {
  const [open, setOpen] = useState(() => !folded.has(id));
  const toggle = () => {
    if (open) folded.add(id);
    else folded.delete(id);
    setOpen(!open);
  };
  return (
    <div className={`param-section ${className}${open ? '' : ' folded'}`} data-testid={id === 'repairs' ? 'repairs' : `section-${id}`} data-open={open}>
      <h3>
        <button className="section-toggle" aria-expanded={open} data-testid={`section-toggle-${id}`} onClick={toggle}>
          {open ? '▾' : '▸'} {title}
        </button>
      </h3>
      {open && children}
    </div>
  );
}

function Budget() {
  const plan = usePlan();
  if (!plan) return null;
  const b = plan.budget;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    <div className="budget" data-testid="budget">
      <div><span>audio kept</span><b data-testid="count-audio">{b.audioKept}</b> / {b.audioTotal}</div>
      <div><span>video kept</span><b data-testid="count-video">{b.videoKept}</b> / {b.videoTotal}</div>
      <div><span>sequence kept</span><b data-testid="count-sequence">{plan.counts.sequence.kept}</b> / {plan.counts.sequence.total}</div>
      <div><span>audio+video retained</span><b data-testid="retained">{pct(b.retained)}</b> ({b.kept}/{b.total})</div>
      <div><span>est. FLOPs saved</span><b data-testid="flops-saved">{pct(b.flopsSaved)}</b> <small>paper formula, {b.flopsModel}</small></div>
      <div><span>anchors · dominant</span><b>{plan.anchors.length}</b> · {plan.dominantCount}</div>
      <DiscardSummary plan={plan} />
      {plan.notes.length > 0 && <ul className="notes notice" data-testid="plan-notes">{plan.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
    </div>
  );
}

/** Memoised: React re-commits every <input> a re-rendered component holds. */
const VariantChoice = memo(function VariantChoice({ variant }: { variant: OmniZipConfig['variant'] }) {
  return (
    <div className="variant" role="radiogroup" aria-label="variant">
      {(['official-core', 'official-units'] as const).map((v) => (
        <label key={v}>
          <input type="radio" name="variant" data-testid={`variant-${v}`} checked={variant === v} onChange={() => change({ variant: v })} /> {v}
        </label>
      ))}
    </div>
  );
});

/** One preset's button, memoised on its realised retention: a slider's input re-commits none of them. */
const PresetButton = memo(function PresetButton({ preset, retained }: { preset: (typeof PRESETS)[number]; retained: number | undefined }) {
  return (
    <button title={`${preset.description}; realised audio+video retention on this clip with the rest of the current setting`} data-testid={`preset-${preset.id}`} onClick={() => change(preset.values)}>
      {preset.label}<small data-testid={`preset-retention-${preset.id}`}>{presetRetentionLabel(retained)}</small>
    </button>
  );
});

/** The presets with their realised retention, which follows every config change (its own subscription). */
function Presets() {
  const presetRetention = usePresetRetention();
  return (
    <div className="presets">
      {PRESETS.map((p) => <PresetButton key={p.id} preset={p} retained={presetRetention[p.id]} />)}
    </div>
  );
}

/**
 * The panel. It subscribes to the config keys that shape it (the method picks which keys show, the
 * variant its radio), not to the whole config: each control subscribes to its own key.
 */
export function Parameters() {
  const method = useStudio((s) => s.config.method);
  const variant = useStudio((s) => s.config.variant);
  const canUndo = useStudio((s) => s.past.length > 0);
  const canRedo = useStudio((s) => s.future.length > 0);
  const planError = useStudio((s) => s.planError);
  return (
    <section className="view params" data-testid="view-parameters">
      <h2>Parameters</h2>
      <div className="toolbar">
        <button onClick={undo} disabled={!canUndo} data-testid="undo">Undo</button>
        <button onClick={redo} disabled={!canRedo} data-testid="redo">Redo</button>
        <button onClick={() => change({ ...DEFAULT_CONFIG })} data-testid="reset">Official defaults</button>
      </div>
      <Presets />
      <VariantChoice variant={variant} />
      <Budget />
      {planError && <p className="error" data-testid="plan-error">{planError}</p>}
      {SECTIONS.map((section) => {
        const keys = CONFIG_KEYS.filter((d) => sectionOf(d) === section.id && (d.repair || keyShownFor(d.key, method)));
        if (keys.length === 0) return null;
        return (
          <Section key={section.id} id={section.id} title={section.title} className={section.id === 'repairs' ? 'repairs' : ''}>
            {section.help && <p className="help">{section.help}</p>}
            {keys.map((d) => <Param key={d.key} d={d} />)}
          </Section>
        );
      })}
    </section>
  );
}
