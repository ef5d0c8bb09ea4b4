/** What an error says, for a status line or an error banner. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
