/**
 * The one word an operator needs about a failed request: the network error
 * code (`ECONNREFUSED`, `ETIMEDOUT`), else the AWS error's name
 * (`ThrottlingException`), found along the `cause` chain and inside an
 * `AggregateError` (Node tries every address of `localhost` and reports all).
 */
export function errorCause(error: unknown): string {
  const chain = errorChain(error);
  const coded = chain.find((e) => typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code));
  if (coded) return coded.code!;
  const named = chain.find((e) => e.name !== 'Error' && e.name !== 'AggregateError' && e.name !== 'LeaseError');
  return named?.name ?? chain.at(-1)?.name ?? typeof error;
}

/** The first line of the innermost error's message, for a log line's detail. */
export function errorDetail(error: unknown): string {
  const innermost = errorChain(error).at(-1);
  const message = innermost?.message || (innermost ? innermost.name : String(error));
  return message.split('\n')[0] ?? message;
}

/** The errors along `cause`, outermost first, with an `AggregateError`'s own errors after it. */
function errorChain(error: unknown): (Error & { code?: string })[] {
  const chain: (Error & { code?: string })[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 10; e = e.cause) {
    chain.push(e);
    if (e instanceof AggregateError) chain.push(...e.errors.filter((x): x is Error => x instanceof Error));
  }
  return chain;
}
