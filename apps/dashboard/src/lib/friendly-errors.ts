/** Words a person understands for an api failure; the api's own message follows when it helps. */
export function friendlyError(status: number, apiMessage: string): string {
  const detail = apiMessage ? ` (${apiMessage})` : '';
  switch (true) {
    case status === 0:
      return 'The dashboard cannot reach the Tern api. Check that the api is running, then try again.';
    case status === 401:
      return 'Your session has ended or the token is not valid. Please sign in again.';
    case status === 403:
      return `Your token is not allowed to do this${detail}. Ask an admin for a token with more scopes.`;
    case status === 404:
      return `That no longer exists${detail}. It may have been deleted.`;
    case status === 409:
      return `That clashes with something that already exists${detail}.`;
    case status === 413:
      return `That is too large${detail}. Split the upload, or send an archive.`;
    case status === 422 || status === 400:
      return `Tern could not accept this${detail}.`;
    case status === 429:
      return `Too many requests right now${detail}. Wait a moment and try again.`;
    case status === 503:
      return `A service Tern needs is unavailable${detail}. Try again in a minute.`;
    default:
      return `Something went wrong on the server (HTTP ${status}). Try again; if it keeps happening, check the api logs.`;
  }
}
