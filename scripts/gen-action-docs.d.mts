/** Types for scripts/gen-action-docs.mjs (used by the tests). */
export interface ActionDoc {
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
}
export const MARKERS: { inputs: [string, string]; outputs: [string, string] };
export function readAction(text: string): ActionDoc;
export function inputsTable(action: ActionDoc): string;
export function outputsTable(action: ActionDoc): string;
export function hasMarkers(doc: string): boolean;
export function rewrite(doc: string, action: ActionDoc): string;
export function tablesIn(doc: string): { inputs: string[][]; outputs: string[][] };
export function drift(doc: string, action: ActionDoc): string[];
