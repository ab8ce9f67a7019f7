// Progress goes to stderr so that `main.ts start` can keep stdout for the URL lines only.
export function reportProgress(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}
