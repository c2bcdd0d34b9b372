/**
 * Action adapter: reads inputs, runs the selected command through the engine,
 * sets outputs and the job summary. The one place that calls core.setFailed.
 */
import * as core from '@actions/core';
import { StorageOpsError, oneLine } from '../core/errors.js';

/** Runs the action; never throws. */
export async function run(): Promise<void> {
  try {
    const command = core.getInput('command', { required: false }) || 'backup';
    throw new StorageOpsError(`command "${command}" is not implemented yet`);
  } catch (err) {
    core.setFailed(err instanceof StorageOpsError ? oneLine(err) : `unexpected failure: ${oneLine(err)}`);
  }
}
