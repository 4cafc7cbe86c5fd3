/** Marks things done once across every process (e.g. the daily digest of a given day). */
export interface OnceStore {
  /** True for exactly one caller per key (a conditional insert); false for every other. */
  claim(key: string, at: Date): Promise<boolean>;
}
