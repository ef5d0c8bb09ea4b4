#!/usr/bin/env python3
"""Reference Whisper / Qwen2.5-Omni log-mel features computed with numpy only.

Used by core/media/log-mel.test.ts to check the TypeScript implementation. It follows the
documented recipe (librosa.filters.mel with Slaney scale and norm, a centred STFT with a periodic
Hann window, the last frame dropped, log10 floor at max - 8, (x + 4) / 4), written independently
with numpy's FFT.

usage: logmel_reference.py INPUT.f32 OUTPUT.f32
  INPUT: little-endian float32 mono samples at 16 kHz; OUTPUT: float32 [128, frames], row-major.
"""
import sys

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 128


def hz_to_mel(freqs):
    freqs = np.asanyarray(freqs, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = freqs / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    above = freqs >= min_log_hz
    mels = np.where(above, min_log_mel + np.log(np.maximum(freqs, 1e-30) / min_log_hz) / logstep, mels)
    return mels


def mel_to_hz(mels):
    mels = np.asanyarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), freqs)


def mel_filters():
    fftfreqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((N_MELS, len(fftfreqs)))
    for i in range(N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : N_MELS + 2] - mel_f[:N_MELS])
    return weights * enorm[:, None]


def log_mel(samples):
    samples = samples.astype(np.float64)
    padded = np.pad(samples, N_FFT // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    frames = padded[idx] * window[None, :]
    power = np.abs(np.fft.rfft(frames, n=N_FFT, axis=1)) ** 2  # [frames, 201]
    mel = mel_filters() @ power.T  # [128, frames]
    mel = mel[:, :-1]
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    samples = np.fromfile(argv[1], dtype="<f4")
    np.ascontiguousarray(log_mel(samples)).astype("<f4").tofile(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
