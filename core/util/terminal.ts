/**
 * Strings that came from a file (metadata, tensor names, paths) are shown on the user's terminal;
 * a control character in them (ESC[2J clears the screen, OSC sequences set the title or write
 * the clipboard) must arrive as visible text, never as a command to the terminal.
 */

// C0 controls except none, DEL, C1 controls, and the bidi overrides that can reorder a line.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// Newlines and tabs are escaped too where one line is promised.
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` with every terminal control character written as a visible \xNN / \uNNNN escape. */
export function terminalSafe(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? UNSAFE_ONE_LINE : UNSAFE, escape);
}

/** JSON for a terminal: JSON.stringify escapes C0 but leaves C1 and bidi controls raw. */
export function terminalSafeJson(value: unknown, space = 2): string {
  return JSON.stringify(value, null, space).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
