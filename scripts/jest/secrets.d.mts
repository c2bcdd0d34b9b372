export const TEST_SECRETS: string[];
export function captureDir(): string;
export function capture(label: string, text: string): void;
export function scanCaptured(dir?: string, secrets?: string[]): string[];
