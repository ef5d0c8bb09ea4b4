/**
 * Errors raised while reading, validating or writing a feature bundle (or any safetensors file).
 * Every message names the file and the exact tensor / metadata key at fault, because the person
 * who sees it usually wrote the dump script and must know which line of it to fix.
 */
import { OmniZipError } from '../protocol/errors.js';

/** What part of the file an error is about. */
export type BundleErrorSubject =
  | 'file'
  | 'header'
  | { tensor: string }
  | { key: string };

export type BundleErrorSubjectKind = 'file' | 'header' | 'tensor' | 'metadata';

export class BundleError extends OmniZipError {
  /** The file name as the caller gave it. */
  readonly file: string;
  /** Tensor name, metadata key, 'header' or 'file'. */
  readonly subject: string;
  readonly subjectKind: BundleErrorSubjectKind;
  /** What is wrong, without the file/subject prefix. */
  readonly reason: string;

  /**
   * @param label how the file is called in the message ('bundle' for feature bundles,
   *   'safetensors file' for other safetensors files such as expected-anchor files).
   */
  constructor(file: string, subject: BundleErrorSubject, reason: string, label = 'bundle') {
    const { name, kind } = describeSubject(subject);
    super('bad-file', `${label} ${file}: ${formatSubject(kind, name)}${reason}`);
    this.file = file;
    this.subject = name;
    this.subjectKind = kind;
    this.reason = reason;
  }
}

function describeSubject(subject: BundleErrorSubject): { name: string; kind: BundleErrorSubjectKind } {
  if (subject === 'file') return { name: 'file', kind: 'file' };
  if (subject === 'header') return { name: 'header', kind: 'header' };
  if ('tensor' in subject) return { name: subject.tensor, kind: 'tensor' };
  return { name: subject.key, kind: 'metadata' };
}

function formatSubject(kind: BundleErrorSubjectKind, name: string): string {
  switch (kind) {
    case 'file':
      return '';
    case 'header':
      return 'header: ';
    case 'tensor':
      return `tensor '${name}': `;
    case 'metadata':
      return `metadata key '${name}': `;
  }
}
