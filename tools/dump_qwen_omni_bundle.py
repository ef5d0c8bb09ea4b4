#!/usr/bin/env python3
"""Dump an OmniZip feature bundle from Qwen2.5-Omni (Hugging Face transformers).

Runs the stock Qwen2.5-Omni thinker on one video (with its audio track, use_audio_in_video=True)
and captures what OmniZip receives at the point where it would run, just before the language
model: the rows of `inputs_embeds` at audio and video placeholder positions, the audio encoder's
last-layer attention importance (`attn_logits`), the token layout, `video_grid_thw`, plus display
frames and the 16 kHz waveform. The result is a safetensors file in the OmniZip Studio
feature-bundle format (docs/real-models.md), written by hand (no safetensors package needed).

usage:
  python3 tools/dump_qwen_omni_bundle.py --video clip.mp4 --out clip.safetensors \
      [--model Qwen/Qwen2.5-Omni-7B] [--max-pixels 100352] [--min-pixels 3136] \
      [--dtype F16|BF16|F32] [--device cuda] [--display-size 256]

Needs (only for the model run): torch, transformers >= 4.52 with Qwen2.5-Omni, qwen-omni-utils
(and its decord/torchvision + librosa/audioread backends). The bundle writer and the importance
computation below need only numpy, and importing this module does not import torch.
"""

import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np

BUNDLE_FORMAT = "omnizip-feature-bundle"
BUNDLE_VERSION = 1
TOKEN_OTHER, TOKEN_AUDIO, TOKEN_VIDEO = 0, 1, 2
_DTYPE_TAG = {"F32": "F32", "F16": "F16", "BF16": "BF16"}


class BundleWriteError(ValueError):
    """Inputs that would make a bundle the studio rejects."""


# --------------------------------------------------------------------------------------------
# Importance (numpy): OmniZip's attn_logits for Qwen2.5-Omni (algorithm doc, section 3)
# --------------------------------------------------------------------------------------------

def received_attention(q, k, num_heads, block=512):
    """Mean attention each key receives over all heads and queries.

    q, k: [T, num_heads * head_dim] projections of the last audio-encoder layer (post-CNN frames,
    50/s). Softmax(q k^T / sqrt(head_dim)) runs over ALL T keys (the encoder's own 2-s block mask is
    ignored, as in OmniZip), in query blocks so memory stays O(block * T). Returns float32 [T].
    """
    q = np.asarray(q, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    if q.ndim != 2 or q.shape != k.shape:
        raise BundleWriteError(f"q and k must both be [T, H*d], got {q.shape} and {k.shape}")
    t, width = q.shape
    if width % num_heads:
        raise BundleWriteError(f"width {width} is not divisible by {num_heads} heads")
    d = width // num_heads
    qh = q.reshape(t, num_heads, d).transpose(1, 0, 2)
    kh = k.reshape(t, num_heads, d).transpose(1, 0, 2)
    total = np.zeros(t, dtype=np.float64)
    scale = 1.0 / np.sqrt(d)
    for start in range(0, t, block):
        logits = np.einsum("hqd,hkd->hqk", qh[:, start : start + block], kh) * scale
        logits -= logits.max(axis=-1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=-1, keepdims=True)
        total += probs.sum(axis=(0, 1))
    return (total / (num_heads * t)).astype(np.float32)


def vision_received_attention(q, k, num_heads, cu_seqlens, window_index, unit=4):
    """VisionZip's ranking score per LLM video token, from the vision tower's last block.

    q, k: [S, H*d] patch-level projections of the last ViT block, in the tower's window order;
    cu_seqlens: the block's attention segments (one per temporal patch for a full-attention block);
    window_index: the tower's window permutation of merge units (position p holds unit
    window_index[p]). Per segment, the attention each patch receives is summed over queries and
    averaged over heads; patches are averaged over each merge unit of `unit`, and the window order
    is undone. Returns float32 [Nv].
    """
    q = np.asarray(q, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    bounds = [int(b) for b in np.asarray(cu_seqlens).reshape(-1)]
    patch = np.zeros(q.shape[0], dtype=np.float64)
    for start, end in zip(bounds[:-1], bounds[1:]):
        if end > start:
            patch[start:end] = received_attention(q[start:end], k[start:end], num_heads) * (end - start)
    if patch.shape[0] % unit:
        raise BundleWriteError(f"{patch.shape[0]} vision patches are not whole merge units of {unit}")
    tokens = patch.reshape(-1, unit).mean(axis=1)
    order = np.asarray(window_index).reshape(-1)
    if order.shape[0] != tokens.shape[0]:
        raise BundleWriteError(f"window_index has {order.shape[0]} entries for {tokens.shape[0]} merge units")
    out = np.empty_like(tokens)
    out[order] = tokens
    return out.astype(np.float32)


def pair_pool(values):
    """AvgPool1d(2, 2) over the first axis: drop an odd last element, average consecutive pairs."""
    values = np.asarray(values)
    n = values.shape[0] // 2
    return values[: 2 * n].reshape((n, 2) + values.shape[1:]).mean(axis=1)


def qwen_token_types(input_ids, audio_token_id, video_token_id):
    """token_types from the thinker's input_ids: 1 at audio placeholders, 2 at video ones."""
    ids = np.asarray(input_ids).reshape(-1)
    types = np.zeros(ids.shape[0], dtype=np.uint8)
    types[ids == audio_token_id] = TOKEN_AUDIO
    types[ids == video_token_id] = TOKEN_VIDEO
    return types


# --------------------------------------------------------------------------------------------
# Bundle writer (numpy only; the safetensors layout written by hand)
# --------------------------------------------------------------------------------------------

def _float_bytes(array, dtype):
    a = np.ascontiguousarray(array, dtype=np.float32)
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        if np.any(np.abs(a) > 65504.0):
            raise BundleWriteError("embedding values exceed the F16 range; write with dtype F32 or BF16")
        return a.astype("<f2").tobytes()
    # BF16: round the float32 bit pattern to nearest even on the upper 16 bits.
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
    return rounded.tobytes()


def _check_finite(name, array):
    bad = ~np.isfinite(array)
    if bad.any():
        index = np.argwhere(bad)[0]
        raise BundleWriteError(f"{name} holds a non-finite value at index {tuple(int(i) for i in index)}")


def write_feature_bundle(
    path,
    audio_embeds,
    video_embeds,
    audio_scores,
    token_types,
    grid_thw,
    frames=None,
    waveform=None,
    sample_rate=16000,
    model="Qwen2.5-Omni-7B",
    source=None,
    dtype="F16",
    created_by="tools/dump_qwen_omni_bundle.py",
    extra_metadata=None,
    video_scores=None,
):
    """Write an OmniZip feature bundle (format version 1) with numpy arrays only.

    audio_embeds [Na, D], video_embeds [Nv, D] (any float dtype; stored as `dtype`),
    audio_scores [Na], token_types [L] uint8 (0 other, 1 audio, 2 video), grid_thw (t, h, w) in
    14-px patches, frames [F, H, W, 3] uint8 or None, waveform [S] float or None.
    The same rules the studio's reader enforces are checked here first. Returns the bytes written.
    """
    if dtype not in _DTYPE_TAG:
        raise BundleWriteError(f"dtype must be one of {sorted(_DTYPE_TAG)}, got {dtype!r}")
    audio = np.asarray(audio_embeds, dtype=np.float32)
    video = np.asarray(video_embeds, dtype=np.float32)
    if audio.ndim != 2 or video.ndim != 2:
        raise BundleWriteError(f"embeddings must be 2-D, got audio {audio.shape} and video {video.shape}")
    na, nv = audio.shape[0], video.shape[0]
    d = audio.shape[1] if na else video.shape[1]
    if (na and audio.shape[1] != d) or (nv and video.shape[1] != d):
        raise BundleWriteError(f"audio and video embeddings differ in hidden size: {audio.shape[1]} vs {video.shape[1]}")
    audio = audio.reshape(na, d)
    video = video.reshape(nv, d)
    types = np.asarray(token_types).astype(np.uint8).reshape(-1)
    if int((types == TOKEN_AUDIO).sum()) != na or int((types == TOKEN_VIDEO).sum()) != nv:
        raise BundleWriteError(
            f"token_types marks {(types == TOKEN_AUDIO).sum()} audio / {(types == TOKEN_VIDEO).sum()} video positions "
            f"but the embeddings have {na} / {nv} rows"
        )
    if np.any(types > TOKEN_VIDEO):
        raise BundleWriteError("token_types values must be 0, 1 or 2")
    scores = None
    if na:
        if audio_scores is None:
            raise BundleWriteError("audio_scores is required when there are audio tokens")
        scores = np.asarray(audio_scores, dtype=np.float32).reshape(-1)
        if scores.shape[0] != na:
            raise BundleWriteError(f"audio_scores has {scores.shape[0]} entries, expected one per audio token ({na})")
        _check_finite("audio_scores", scores)
    _check_finite("audio_embeds", audio)
    _check_finite("video_embeds", video)
    meta = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "model": model,
        "spatial_merge_size": 2,
        "frames_per_temporal_patch": 2,
        "video_fps": 2.0,
        "audio_tokens_per_second": 25,
        "seconds_per_chunk": 2,
        "created_by": created_by,
    }
    if nv:
        t, h, w = (int(x) for x in np.asarray(grid_thw).reshape(-1)[:3])
        if h % 2 or w % 2 or t * (h // 2) * (w // 2) != nv:
            raise BundleWriteError(f"grid_thw {[t, h, w]} does not match {nv} video tokens (t * h/2 * w/2)")
        meta["grid_thw"] = [t, h, w]
    if waveform is not None:
        meta["sample_rate"] = int(sample_rate)
    if source is not None:
        meta["source"] = source
    if extra_metadata:
        meta.update(extra_metadata)

    tensors = [
        ("audio_embeds", dtype, [na, d], _float_bytes(audio, dtype)),
        ("video_embeds", dtype, [nv, d], _float_bytes(video, dtype)),
    ]
    if scores is not None:
        tensors.append(("audio_scores", "F32", [na], scores.astype("<f4").tobytes()))
    if video_scores is not None:
        vscores = np.asarray(video_scores, dtype=np.float32).reshape(-1)
        if vscores.shape[0] != nv:
            raise BundleWriteError(f"video_scores has {vscores.shape[0]} entries, expected one per video token ({nv})")
        _check_finite("video_scores", vscores)
        tensors.append(("video_scores", "F32", [nv], vscores.astype("<f4").tobytes()))
    tensors.append(("token_types", "U8", [int(types.shape[0])], types.tobytes()))
    if waveform is not None:
        wave = np.asarray(waveform, dtype=np.float32).reshape(-1)
        _check_finite("waveform", wave)
        tensors.append(("waveform", "F32", [int(wave.shape[0])], wave.astype("<f4").tobytes()))
    if frames is not None:
        f = np.asarray(frames)
        if f.dtype != np.uint8 or f.ndim != 4 or f.shape[3] != 3:
            raise BundleWriteError(f"frames must be uint8 [F, H, W, 3], got {f.dtype} {list(f.shape)}")
        tensors.append(("frames", "U8", [int(x) for x in f.shape], np.ascontiguousarray(f).tobytes()))

    header = {"__metadata__": {"omnizip": json.dumps(meta)}}
    offset = 0
    for name, tag, shape, data in tensors:
        header[name] = {"dtype": tag, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # safetensors pads the header with spaces so the data section starts 8-byte aligned.
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<Q", len(header_bytes)))
        out.write(header_bytes)
        for _, _, _, data in tensors:
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return 8 + len(header_bytes) + offset


def shrink_frames(frames_uint8, max_side):
    """Box-average [F, H, W, 3] uint8 frames by an integer factor so the longer side <= max_side."""
    f, h, w, _ = frames_uint8.shape
    factor = max(1, int(np.ceil(max(h, w) / max_side)))
    hh, ww = h // factor, w // factor
    cropped = frames_uint8[:, : hh * factor, : ww * factor].astype(np.float32)
    pooled = cropped.reshape(f, hh, factor, ww, factor, 3).mean(axis=(2, 4))
    return np.clip(np.rint(pooled), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# The model run (torch and transformers are imported only here)
# --------------------------------------------------------------------------------------------

class _Captured(Exception):
    """Raised from the decoder pre-hook: everything needed is captured, the LLM need not run."""


def dump_from_model(args):
    import torch  # noqa: PLC0415 (kept out of module scope on purpose)
    from qwen_omni_utils import process_mm_info  # noqa: PLC0415
    from transformers import Qwen2_5OmniForConditionalGeneration, Qwen2_5OmniProcessor  # noqa: PLC0415

    torch_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[args.model_dtype]
    model = Qwen2_5OmniForConditionalGeneration.from_pretrained(
        args.model, torch_dtype=torch_dtype, device_map=args.device, attn_implementation=args.attn
    )
    if hasattr(model, "disable_talker"):
        model.disable_talker()  # only the thinker is needed; frees the talker's memory
    processor = Qwen2_5OmniProcessor.from_pretrained(args.model)
    thinker = model.thinker
    cfg = thinker.config
    audio_token_id = getattr(cfg, "audio_token_index", getattr(cfg, "audio_token_id", 151646))
    video_token_id = getattr(cfg, "video_token_index", getattr(cfg, "video_token_id", 151656))

    video_item = {"type": "video", "video": args.video}
    if args.max_pixels is not None:
        video_item["max_pixels"] = args.max_pixels
    if args.min_pixels is not None:
        video_item["min_pixels"] = args.min_pixels
    conversation = [
        {"role": "system", "content": [{"type": "text", "text": args.system}]},
        {"role": "user", "content": [video_item, {"type": "text", "text": args.prompt}]},
    ]
    text = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
    audios, images, videos = process_mm_info(conversation, use_audio_in_video=True)
    if not audios:
        raise SystemExit(f"{args.video}: no audio track; OmniZip's audio guidance needs one")
    inputs = processor(
        text=text, audio=audios, images=images, videos=videos, return_tensors="pt", padding=True, use_audio_in_video=True
    ).to(model.device)

    captured = {}
    last_attn = thinker.audio_tower.layers[-1].self_attn
    num_heads = last_attn.num_heads
    hooks = [
        last_attn.q_proj.register_forward_hook(lambda _m, _i, out: captured.__setitem__("q", out.detach().float().cpu().numpy())),
        last_attn.k_proj.register_forward_hook(lambda _m, _i, out: captured.__setitem__("k", out.detach().float().cpu().numpy())),
    ]
    # VisionZip's score: the last ViT block's fused qkv (before rotary embedding: a documented
    # departure) and its attention segments.
    last_vit = thinker.visual.blocks[-1]

    def vit_qkv(_m, args, kwargs, out):
        captured["vit_qkv"] = out.detach().float().cpu().numpy()

    def vit_block(_m, args, kwargs):
        cu = kwargs.get("cu_seqlens", args[1] if len(args) > 1 else None)
        if cu is not None:
            captured["vit_cu"] = cu.detach().cpu().numpy()

    hooks.append(last_vit.attn.qkv.register_forward_hook(vit_qkv, with_kwargs=True))
    hooks.append(last_vit.register_forward_pre_hook(vit_block, with_kwargs=True))

    def before_decoder(_module, _args, kwargs):
        embeds = kwargs.get("inputs_embeds")
        if embeds is not None and "inputs_embeds" not in captured:
            captured["inputs_embeds"] = embeds.detach().float().cpu().numpy()
            raise _Captured()

    hooks.append(thinker.model.register_forward_pre_hook(before_decoder, with_kwargs=True))
    try:
        with torch.no_grad():
            thinker(**inputs, use_audio_in_video=True)
    except _Captured:
        pass
    finally:
        for h in hooks:
            h.remove()
    if "inputs_embeds" not in captured or "q" not in captured:
        raise SystemExit("the hooks did not fire: this transformers version lays Qwen2.5-Omni out differently")

    input_ids = inputs["input_ids"].cpu().numpy()
    if input_ids.shape[0] != 1:
        raise SystemExit("batch size must be 1")
    types = qwen_token_types(input_ids, audio_token_id, video_token_id)
    embeds = captured["inputs_embeds"][0]
    importance = pair_pool(received_attention(captured["q"], captured["k"], num_heads))
    na = int((types == TOKEN_AUDIO).sum())
    if importance.shape[0] != na:
        raise SystemExit(f"importance has {importance.shape[0]} entries but the prompt has {na} audio tokens")
    grid = inputs["video_grid_thw"][0].cpu().numpy()
    video = videos[0]
    video = video.cpu().numpy() if hasattr(video, "cpu") else np.asarray(video)
    frames = np.clip(np.rint(video), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    video_scores = None
    if "vit_qkv" in captured and "vit_cu" in captured:
        q_vit, k_vit, _v = np.split(captured["vit_qkv"], 3, axis=-1)
        window_index, _cu = thinker.visual.get_window_index(inputs["video_grid_thw"])
        video_scores = vision_received_attention(
            q_vit, k_vit, last_vit.attn.num_heads, captured["vit_cu"], window_index.cpu().numpy(), unit=thinker.visual.spatial_merge_unit
        )
    else:
        print("note: the vision tower's last block did not report its qkv; the bundle has no video_scores (VisionZip will use its proxy)")
    with open(args.video, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    waveform = np.asarray(audios[0], dtype=np.float32)
    size = write_feature_bundle(
        args.out,
        audio_embeds=embeds[types == TOKEN_AUDIO],
        video_embeds=embeds[types == TOKEN_VIDEO],
        audio_scores=importance,
        video_scores=video_scores,
        token_types=types,
        grid_thw=grid,
        frames=shrink_frames(frames, args.display_size),
        waveform=waveform,
        sample_rate=16000,
        model=os.path.basename(args.model.rstrip("/")),
        source={"name": os.path.basename(args.video), "sha256": sha, "duration_s": round(len(waveform) / 16000, 3)},
        dtype=args.dtype,
    )
    print(f"{args.out}: {na} audio + {int((types == TOKEN_VIDEO).sum())} video tokens, grid_thw {grid.tolist()}, {size / 1e6:.2f} MB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", required=True, help="video file with an audio track")
    parser.add_argument("--out", required=True, help="bundle to write (.safetensors)")
    parser.add_argument("--model", default="Qwen/Qwen2.5-Omni-7B", help="model id or local path")
    parser.add_argument("--max-pixels", type=int, default=128 * 28 * 28, help="per-frame pixel cap (paper: 128*28*28)")
    parser.add_argument("--min-pixels", type=int, default=None)
    parser.add_argument("--dtype", default="F16", choices=sorted(_DTYPE_TAG), help="embedding dtype in the file")
    parser.add_argument("--model-dtype", default="bf16", choices=["bf16", "fp16", "fp32"])
    parser.add_argument("--device", default="auto", help="device_map for from_pretrained (auto, cuda, cpu)")
    parser.add_argument("--attn", default="sdpa", help="attn_implementation (importance is recomputed from q/k, so any works)")
    parser.add_argument("--display-size", type=int, default=256, help="longest side of the stored display frames")
    parser.add_argument("--prompt", default="Describe this video.")
    parser.add_argument(
        "--system",
        default="You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of perceiving auditory and visual inputs, as well as generating text and speech.",
    )
    dump_from_model(parser.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
