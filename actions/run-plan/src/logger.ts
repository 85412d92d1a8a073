import * as core from '@actions/core';
import type { Logger } from '@shiftgate/core';

/** Logs core's messages on the runner's channels. */
export const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
};
