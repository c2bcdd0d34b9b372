import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';

/** The engine's Logger over @actions/core: annotations for warnings and errors, log groups per phase. */
export function actionLogger(): Logger {
  return {
    debug: (m) => core.debug(m),
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    error: (m) => core.error(m),
    group: (name, fn) => core.group(name, fn),
  };
}
