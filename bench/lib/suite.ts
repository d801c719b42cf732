/** What every benchmark suite reports: a titled table, headline figures and notes. */
export interface SuiteResult {
  title: string;
  /** How the measurement was made, in a sentence or two. */
  method: string;
  columns: string[];
  rows: (string | number)[][];
  /** Named figures, kept in results.json and used by the chart. */
  figures: Record<string, number>;
  notes?: string[];
}

export interface SuiteOptions {
  quick: boolean;
}

export interface Suite {
  name: string;
  run(options: SuiteOptions): Promise<SuiteResult>;
}
