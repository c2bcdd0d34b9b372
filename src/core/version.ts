/** The tool's version, recorded in every manifest. Keep in step with package.json. */
export const TOOL_NAME = 'storage-ops';
export const TOOL_VERSION = '0.1.0';
