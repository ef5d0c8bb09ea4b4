/**
 * The planner's configuration: official snake_case names so an exported file maps one-to-one onto
 * the official scripts, plus the constants the official code hard-codes, exposed with the official
 * values as defaults. Every key is described once here; the CLI, the parameter panel and the
 * exports all read these descriptors.
 */

import { METHOD_IDS, methodSummaries } from '../methods/registry.js';

/** Every registered compression method (core/methods/registry.ts). */
export type Method = (typeof METHOD_IDS)[number];
export type Variant = 'official-core' | 'official-units';
export type AudioScoreSource = 'attention' | 'token_energy' | 'waveform_rms' | 'speech_activity';
export type BudgetMode = 'official' | 'exact';
export type AudioSelectionScope = 'global' | 'per_group';
export type CrossModalScope = 'clip' | 'group';
export type DensityPeakFormula = 'official' | 'paper';
export type BaselineBudget = 'match' | 'native';
export type BaselineModalities = 'av' | 'video';

export interface OmniZipConfig {
  /** 'omnizip', or a baseline at the same budget: 'uniform' (every group at rho_video), 'random'. */
  method: Method;
  variant: Variant;
  /** Fraction of audio tokens DISCARDED by the top-k stage (official `rho_audio`). */
  rho_audio: number;
  /** Target fraction of video tokens DISCARDED (official `rho_video`). */
  rho_video: number;
  /** Max audio tokens merged into each anchor; 0 disables merging (and, in official-core, anchors). */
  g: number;
  /** Fraction of all audio tokens kept as uniformly strided anchors. */
  contextual_ratio: number;
  /** Lower clamp of per-group video discard ratios (official hard-codes 0.35). */
  ratio_min: number;
  /** Upper clamp of per-group video discard ratios (official hard-codes 0.75). */
  ratio_max: number;
  /** Neighbours in the density-peak (DPC-kNN) density estimate (official hard-codes 5). */
  dpc_k: number;
  /** null: the layout's own chunks; a number: consecutive chunks merged into groups of that many seconds. */
  group_seconds: number | null;
  /** official-units only: the frame count the caller passes (`thinker.nframes`); null = 2 x grid_t. */
  num_input_frames: number | null;
  /** Seed of the 'random' baseline. */
  seed: number;
  /** What the audio top-k ranks by: the encoder's attention (official), token L2 norm, or waveform RMS. */
  audio_score: AudioScoreSource;
  /** Studio repairs of official quirks (omnizip-algorithm.md §6); each defaults to the official behaviour. */
  budget: BudgetMode;
  audio_selection: AudioSelectionScope;
  anchors_count_in_retention: boolean;
  cross_modal_scope: CrossModalScope;
  dpc: DensityPeakFormula;
  /** Baselines: keep OmniZip's realised counts (match) or the method's own rounding of rho (native). */
  baseline_budget: BaselineBudget;
  /** DyCoke TTM: pruned fraction K of each pruned frame; null = the modality's rho. */
  dycoke_k: number | null;
  dycoke_quirks: 'official' | 'repaired';
  dycoke_modalities: BaselineModalities;
  /** Audio tokens per DyCoke frame (25 = one second, one temporal patch's span). */
  dycoke_audio_frame_tokens: number;
  /** FastV: the decoder layer K (1-based) whose attention ranks tokens; layers before it see all tokens. */
  fastv_layer: number;
  fastv_modalities: BaselineModalities;
  fastv_budget_basis: 'after_layer' | 'layer_average';
  /** FastV layer_average: decoder depth L (Qwen2.5-Omni 7B thinker: 28). */
  fastv_num_layers: number;
  /** VisionZip: fraction of video tokens kept as contextual (merged) tokens. */
  visionzip_contextual_ratio: number;
  visionzip_scope: 'clip' | 'window';
  /** VisionZip native: dominant ratio; null = (1 - rho_video) - visionzip_contextual_ratio. */
  visionzip_dominant_ratio: number | null;
  visionzip_scores: 'encoder' | 'embedding_proxy';
}

export type ConfigKey = keyof OmniZipConfig;

export interface NumberKeySpec {
  kind: 'number';
  min: number;
  max: number;
  integer?: boolean;
  nullable?: boolean;
  step?: number;
}
export interface EnumKeySpec {
  kind: 'enum';
  values: readonly string[];
}
export interface BooleanKeySpec {
  kind: 'boolean';
}

export interface ConfigKeyDescriptor {
  key: ConfigKey;
  label: string;
  /** What the key does, in one or two sentences, for the parameter panel and `--help`. */
  help: string;
  /** Where the official code takes this value from. */
  official: string;
  spec: NumberKeySpec | EnumKeySpec | BooleanKeySpec;
  /** Keys that switch off an official quirk: shown as such in the parameter panel. */
  repair?: boolean;
}

export const DEFAULT_CONFIG: Readonly<OmniZipConfig> = Object.freeze({
  method: 'omnizip',
  variant: 'official-core',
  rho_audio: 0.3,
  rho_video: 0.6,
  g: 3,
  contextual_ratio: 0.05,
  ratio_min: 0.35,
  ratio_max: 0.75,
  dpc_k: 5,
  group_seconds: null,
  num_input_frames: null,
  seed: 0,
  audio_score: 'attention',
  budget: 'official',
  audio_selection: 'global',
  anchors_count_in_retention: true,
  cross_modal_scope: 'clip',
  dpc: 'official',
  baseline_budget: 'match',
  dycoke_k: null,
  dycoke_quirks: 'official',
  dycoke_modalities: 'av',
  dycoke_audio_frame_tokens: 25,
  fastv_layer: 5,
  fastv_modalities: 'av',
  fastv_budget_basis: 'after_layer',
  fastv_num_layers: 28,
  visionzip_contextual_ratio: 0.05,
  visionzip_scope: 'clip',
  visionzip_dominant_ratio: null,
  visionzip_scores: 'encoder',
});

export const CONFIG_KEYS: readonly ConfigKeyDescriptor[] = [
  {
    key: 'method',
    label: 'Method',
    help: `OmniZip, or a baseline that keeps exactly OmniZip's realised audio and video counts (baseline_budget: match). ${methodSummaries()}`,
    official: 'the official scripts compare against the stock model; baselines are the studio\'s (docs/baselines.md)',
    spec: { kind: 'enum', values: METHOD_IDS },
  },
  {
    key: 'variant',
    label: 'Variant',
    help: 'official-core: the grouping the current Qwen2.5-Omni model file calls (runs detected from the token layout, token-weighted budget). official-units: the initial release (fixed 4-frame / 50-token groups, its own DPC-kNN).',
    official: 'omnizip_core.omnizip vs omnizip_units.omnizip',
    spec: { kind: 'enum', values: ['official-core', 'official-units'] },
  },
  {
    key: 'rho_audio',
    label: 'rho_audio (audio discard ratio)',
    help: 'Fraction of audio tokens the top-k stage discards. Kept audio is (1 - rho_audio) + contextual_ratio of all audio tokens.',
    official: 'merging_ratio_audio; thinker fallback 0.3, omnizip() default 0.5',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'rho_video',
    label: 'rho_video (video discard ratio)',
    help: 'Target fraction of video tokens discarded over the clip; each group\'s ratio is moved by its audio retention.',
    official: 'merging_ratio_v; thinker fallback 0.6, omnizip() default 0.5',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'g',
    label: 'g (merges per anchor)',
    help: 'At most g discarded audio tokens are merged into each anchor. 0 disables merging; in official-core it also drops the anchors.',
    official: 'g; 3 (15 for AVUT in the paper)',
    spec: { kind: 'number', min: 0, max: 1000, integer: true, step: 1 },
  },
  {
    key: 'contextual_ratio',
    label: 'contextual_ratio (anchors)',
    help: 'Fraction of all audio tokens kept as anchors, strided uniformly over the tokens the top-k stage discarded.',
    official: 'contextual_ratio; 0.05',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'ratio_min',
    label: 'ratio_min (softest group)',
    help: 'Per-group video discard ratios are clamped to [ratio_min, ratio_max]; a group whose audio is fully kept starts at ratio_min.',
    official: 'hard-coded 0.35',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'ratio_max',
    label: 'ratio_max (hardest group)',
    help: 'Upper clamp of per-group video discard ratios; a group with no kept audio starts at ratio_max.',
    official: 'hard-coded 0.75',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'dpc_k',
    label: 'dpc_k (density neighbours)',
    help: 'Neighbours averaged in the density-peak density estimate of spatially pruned frames.',
    official: 'hard-coded 5',
    spec: { kind: 'number', min: 1, max: 64, integer: true, step: 1 },
  },
  {
    key: 'group_seconds',
    label: 'group_seconds',
    help: 'Empty: the layout\'s own 2-second chunks. A number: consecutive chunks merged into groups of about that many seconds (a multiple of the chunk length).',
    official: 'fixed by the processor (seconds_per_chunk = 2)',
    spec: { kind: 'number', min: 0.5, max: 3600, nullable: true, step: 2 },
  },
  {
    key: 'num_input_frames',
    label: 'num_input_frames (units variant)',
    help: 'official-units only: the frame count the caller passes (the eval scripts pass the raw sampled frame count, 2 x grid_t). Empty = 2 x grid_t.',
    official: 'model.thinker.nframes = videos[0].shape[0]',
    spec: { kind: 'number', min: 1, max: 100000, integer: true, nullable: true, step: 1 },
  },
  {
    key: 'seed',
    label: 'seed (random baseline)',
    help: 'Seed of the random baseline, so a comparison can be reproduced.',
    official: '—',
    spec: { kind: 'number', min: 0, max: 2 ** 31 - 1, integer: true, step: 1 },
  },
  {
    key: 'audio_score',
    label: 'audio_score (what audio top-k ranks by)',
    help: 'attention: the audio encoder\'s last-layer received attention (official). token_energy: L2 norm of each audio token. waveform_rms: RMS of the waveform under each token. speech_activity: Silero VAD speech probability under each token (clips with a waveform). Bundles without audio_scores fall back to token_energy.',
    official: 'attn_logits from the audio encoder',
    spec: { kind: 'enum', values: ['attention', 'token_energy', 'waveform_rms', 'speech_activity'] },
  },
  {
    key: 'budget',
    label: 'budget: exact (repair)',
    help: 'official: pin the min- and max-ratio groups, one multiplicative and one additive pass (can miss the budget and invert the audio order). exact: one shift of every group\'s ratio, solved so the video discard meets rho_video exactly within [ratio_min, ratio_max], keeping the order audio retention implies.',
    official: 'pinned min/max, one scale pass + one additive pass',
    spec: { kind: 'enum', values: ['official', 'exact'] },
    repair: true,
  },
  {
    key: 'audio_selection',
    label: 'audio_selection: per_group (repair)',
    help: 'global: top-k and anchors over the whole clip (official). per_group: top-k and anchors chosen within each time group, as the paper describes.',
    official: 'global over the clip',
    spec: { kind: 'enum', values: ['global', 'per_group'] },
    repair: true,
  },
  {
    key: 'anchors_count_in_retention',
    label: 'anchors count in retention',
    help: 'true: a group\'s audio retention counts dominant tokens and anchors (official). false (repair): dominant tokens only.',
    official: 'anchors counted',
    spec: { kind: 'boolean' },
    repair: true,
  },
  {
    key: 'cross_modal_scope',
    label: 'cross_modal_scope: group (repair)',
    help: 'clip: an audio token\'s cross-modal score is its best cosine to any video token of the clip (official). group: only its own group\'s video, the "paired video segment" of the paper.',
    official: 'any video token in the clip',
    spec: { kind: 'enum', values: ['clip', 'group'] },
    repair: true,
  },
  {
    key: 'dpc',
    label: 'dpc: paper (repair)',
    help: 'official: the variant\'s own density-peak code (cosine distance in core, kNN similarity in units). paper: the paper\'s Eq. 7-8, rho = exp(-mean squared Euclidean kNN distance), delta to the nearest denser token.',
    official: 'cosine-distance DPC (core) / kNN similarity (units)',
    spec: { kind: 'enum', values: ['official', 'paper'] },
    repair: true,
  },
  {
    key: 'baseline_budget',
    label: 'baseline_budget (baselines)',
    help: 'match: a baseline keeps exactly as many audio and video tokens as OmniZip realises for this config. native: the baseline rounds rho its own way (its official code\'s counts).',
    official: '— (the paper runs baselines at one shared ratio)',
    spec: { kind: 'enum', values: ['match', 'native'] },
  },
  {
    key: 'dycoke_k',
    label: 'dycoke_k (DyCoke pruned fraction)',
    help: 'DyCoke native budget: the fraction K each pruned frame drops. Empty = the modality\'s rho.',
    official: 'dycoke_k; 0.7 in the lmms-eval wrapper',
    spec: { kind: 'number', min: 0, max: 1, nullable: true, step: 0.05 },
  },
  {
    key: 'dycoke_quirks',
    label: 'dycoke_quirks',
    help: 'official: reproduce TTM as its code runs (odd last frame and tail dropped, last window\'s frame 2 kept whole, fewer than 5 frames unsupported). repaired: every frame takes its role from its index mod 4.',
    official: 'dycole_ttm',
    spec: { kind: 'enum', values: ['official', 'repaired'] },
  },
  {
    key: 'dycoke_modalities',
    label: 'dycoke_modalities',
    help: 'av: TTM on audio and video, "DyCoke (V&A)" as the OmniZip paper ran it. video: TTM on video, audio as OmniZip.',
    official: 'OmniZip paper Tables 1, 2, 6 (av) and Table 4 (video)',
    spec: { kind: 'enum', values: ['av', 'video'] },
  },
  {
    key: 'dycoke_audio_frame_tokens',
    label: 'dycoke_audio_frame_tokens',
    help: 'Audio tokens per DyCoke frame: 25 = one second, the span of one video temporal patch.',
    official: '— (the studio\'s mapping)',
    spec: { kind: 'number', min: 1, max: 100000, integer: true, step: 1 },
  },
  {
    key: 'fastv_layer',
    label: 'fastv_layer (K)',
    help: 'FastV ranks tokens by the attention they receive from the last prompt position at decoder layer K; layers before K see every token.',
    official: 'fast_v_agg_layer; K = 5 in the OmniZip paper',
    spec: { kind: 'number', min: 1, max: 1000, integer: true, step: 1 },
  },
  {
    key: 'fastv_modalities',
    label: 'fastv_modalities',
    help: 'av: top-n audio and top-n video by layer-K attention. video: only video; audio as OmniZip.',
    official: 'OmniZip paper Table 6 prunes both',
    spec: { kind: 'enum', values: ['av', 'video'] },
  },
  {
    key: 'fastv_budget_basis',
    label: 'fastv_budget_basis',
    help: 'after_layer: the kept count applies after layer K. layer_average: the count averaged over all layers meets the budget (fewer tokens after K).',
    official: 'FastV counts tokens after layer K',
    spec: { kind: 'enum', values: ['after_layer', 'layer_average'] },
  },
  {
    key: 'fastv_num_layers',
    label: 'fastv_num_layers (L)',
    help: 'Decoder depth for layer_average (Qwen2.5-Omni 7B thinker: 28, 3B: 36).',
    official: 'Qwen2.5 config num_hidden_layers',
    spec: { kind: 'number', min: 2, max: 1000, integer: true, step: 1 },
  },
  {
    key: 'visionzip_contextual_ratio',
    label: 'visionzip_contextual_ratio',
    help: 'Fraction of the video tokens VisionZip keeps as contextual tokens (remaining tokens merged into strided targets by key similarity).',
    official: 'the Qwen2.5-VL port: 0.05',
    spec: { kind: 'number', min: 0, max: 1, step: 0.01 },
  },
  {
    key: 'visionzip_scope',
    label: 'visionzip_scope',
    help: 'clip: dominant and contextual tokens chosen over the whole video. window: per temporal patch (as SEATS runs it).',
    official: 'VisionZip Qwen2.5-VL port (clip) / SEATS (window)',
    spec: { kind: 'enum', values: ['clip', 'window'] },
  },
  {
    key: 'visionzip_dominant_ratio',
    label: 'visionzip_dominant_ratio (native)',
    help: 'VisionZip native budget: fraction kept as dominant tokens. Empty = (1 - rho_video) - visionzip_contextual_ratio.',
    official: 'hard-coded 0.65 (70%) / 0.45 (50%) in the port',
    spec: { kind: 'number', min: 0, max: 1, nullable: true, step: 0.01 },
  },
  {
    key: 'visionzip_scores',
    label: 'visionzip_scores',
    help: 'encoder: rank by the bundle\'s video_scores (vision-encoder received attention). embedding_proxy: a studio stand-in (mean cosine to the other tokens of the frame), also used with a note when video_scores is missing.',
    official: 'last ViT block received attention',
    spec: { kind: 'enum', values: ['encoder', 'embedding_proxy'] },
  },
];

export const CONFIG_KEY_NAMES: ReadonlySet<string> = new Set(CONFIG_KEYS.map((d) => d.key));

export interface Preset {
  id: string;
  label: string;
  description: string;
  values: Partial<OmniZipConfig>;
}

export const PRESETS: readonly Preset[] = [
  { id: 'paper-45', label: 'Paper 45% retained', description: 'rho_audio 0.3, rho_video 0.6 (Tables 1-3, the README eval settings)', values: { rho_audio: 0.3, rho_video: 0.6, g: 3, contextual_ratio: 0.05 } },
  { id: 'paper-35', label: 'Paper 35% retained', description: 'rho_audio 0.4, rho_video 0.7 (the 3.42x prefill setting)', values: { rho_audio: 0.4, rho_video: 0.7, g: 3, contextual_ratio: 0.05 } },
  { id: 'code-defaults', label: 'omnizip() defaults', description: 'rho_audio 0.5, rho_video 0.5: the function signature\'s defaults', values: { rho_audio: 0.5, rho_video: 0.5, g: 3, contextual_ratio: 0.05 } },
  { id: 'avut', label: 'AVUT (g = 15)', description: 'the paper\'s AVUT setting: 45% retained with g = 15', values: { rho_audio: 0.3, rho_video: 0.6, g: 15, contextual_ratio: 0.05 } },
  {
    id: 'official',
    label: 'Official behaviour',
    description: 'every repair switch off: the planner reproduces the official code',
    values: { budget: 'official', audio_selection: 'global', anchors_count_in_retention: true, cross_modal_scope: 'clip', dpc: 'official' },
  },
  {
    id: 'paper',
    label: 'As the paper describes',
    description: 'the repairs that match the paper\'s text: exact budget, per-group audio selection, retention from salient tokens, paired-segment cross-modal score, the paper\'s DPC formula',
    values: { budget: 'exact', audio_selection: 'per_group', anchors_count_in_retention: false, cross_modal_scope: 'group', dpc: 'paper' },
  },
];
