import { type ExecutionResult, type GraphQLError, getOperationAST } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';

type Params = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };

/**
 * The common case, a JSON POST of one query or mutation, run through yoga's envelop pipeline
 * (the same parser and validation caches, depth and cost limits, error masking and context)
 * without converting the request and response to fetch-API objects, which costs more than
 * most operations. Returns undefined for anything else (GET, batches, subscriptions, bodies
 * that do not parse or validate), which then takes yoga's full HTTP path and its exact errors.
 */
export async function executeJsonPost<TServerContext extends Record<string, unknown>>(
  yoga: YogaServerInstance<TServerContext, Record<string, unknown>>,
  body: Buffer,
  serverContext: TServerContext,
): Promise<string | undefined> {
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
  } catch {
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
  const contextValue = await contextFactory();
  const result = (await execute({
    schema,
    document,
    contextValue,
    variableValues: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
  })) as ExecutionResult;
  if (Symbol.asyncIterator in result) return undefined;
  return JSON.stringify(result);
}
