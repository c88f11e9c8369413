import { type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { SCAN_LIMIT_CODES } from './limits.ts';

type Params = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };

/**
 * The common case, a JSON POST of one query or mutation, run through yoga's envelop pipeline
 * (the same parser and validation caches, depth and cost limits, error masking and context)
 * without converting the request and response to fetch-API objects, which costs more than
 * most operations. Returns undefined for anything else (GET, batches, subscriptions, bodies
 * that do not parse or validate), which then takes yoga's full HTTP path and its exact errors.
 * A query refused by the scan limits is answered here (`isRequestError`), so that a hostile body
 * is not decoded and parsed a second time on that path. `onParsed` is called once the body and
 * query are parsed and validated (or refused), before the operation runs.
 */
export async function executeJsonPost<TServerContext extends Record<string, unknown>>(
  yoga: YogaServerInstance<TServerContext, Record<string, unknown>>,
  body: Buffer,
  serverContext: TServerContext,
  onParsed: () => void = () => {},
): Promise<{ json: string; isRequestError?: boolean } | undefined> {
  let params: Params;
  try {
    params = JSON.parse(body.toString('utf8')) as Params;
  } catch {
    return undefined;
  }
  if (!params || typeof params !== 'object' || Array.isArray(params) || typeof params.query !== 'string')
    return undefined;
  // Variables and extensions of the wrong shape get yoga's 400 answer.
  const isMap = (v: unknown) => v == null || (typeof v === 'object' && !Array.isArray(v));
  if (!isMap(params.variables) || !isMap((params as { extensions?: unknown }).extensions)) return undefined;
  const { parse, validate, contextFactory, execute, schema } = yoga.getEnveloped({
    ...serverContext,
    params,
  } as never);
  let document: ReturnType<typeof parse>;
  try {
    document = parse(params.query);
  } catch (e) {
    if (e instanceof GraphQLError && SCAN_LIMIT_CODES.has(String(e.extensions.code))) {
      onParsed();
      return { json: JSON.stringify({ errors: [e.toJSON()] }), isRequestError: true };
    }
    return undefined;
  }
  const operation = getOperationAST(document, params.operationName ?? undefined);
  if (!operation || operation.operation === 'subscription') return undefined;
  try {
    // Some validation rules (the depth limit) throw rather than report.
    if ((validate(schema, document) as readonly GraphQLError[]).length > 0) return undefined;
  } catch {
    return undefined;
  }
  onParsed();
  const contextValue = await contextFactory();
  const result = (await execute({
    schema,
    document,
    contextValue,
    variableValues: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
  })) as ExecutionResult;
  if (Symbol.asyncIterator in result) return undefined;
  return { json: JSON.stringify(result) };
}
