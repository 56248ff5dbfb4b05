/** The environment every furikae process starts with (see process-env.js for why). */
export declare const FURIKAE_PROCESS_ENV: Readonly<Record<string, string>>;
/** The environment to start a furikae process with: the caller's, plus FURIKAE_PROCESS_ENV unless the caller set it. */
export declare function withFurikaeProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
