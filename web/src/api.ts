/** An HTTP error from the platform, with its status and the error text it sent. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The error text of a failed answer: its JSON `error`, else its status line. */
export async function errorText(response: Response): Promise<string> {
  try {
    const parsed = (await response.json()) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: the status line below
  }
  return `${response.status} ${response.statusText}`;
}

/** The platform's public API, called with the signed-in key. */
export class Api {
  readonly key: string;
  /** Called with the server's error text whenever it answers 401: the key is no longer valid. */
  onUnauthorized: (message: string) => void = () => {};
  constructor(key: string) {
    this.key = key;
  }

  headers(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal !== undefined) init.signal = signal;
    const response = await fetch(path, init);
    if (!response.ok) {
      const message = await errorText(response);
      if (response.status === 401) this.onUnauthorized(message);
      throw new ApiError(response.status, message);
    }
    return (await response.json()) as T;
  }
}
