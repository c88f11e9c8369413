import { type Channel, type FieldError, fieldError, type Principal, ValidationFailed } from '@docket/core';
import { type EntityManager, KB_VISIBILITIES, KbArticle, KbArticleVersion, LockMode } from '@docket/db';
import {
  kbVisibilities,
  maySeeInternals,
  requireKnowledgeEditor,
  requireSignedIn,
} from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import { actorOf, type TicketStore } from '../tickets/ticket-store.ts';
import { type KbHit, linkArticle, searchArticles, suggestArticles } from './knowledge-repository.ts';

export type SaveArticleInput = {
  id?: number | string | null;
  title: string;
  body: string;
  categoryPath?: string | null;
  visibility?: string | null;
};

const MAX_TITLE = 200;
const MAX_BODY = 100_000;
const MAX_PAGE = 50;

function checkArticle(input: SaveArticleInput): { title: string; body: string; categoryPath: string } {
  const errors: FieldError[] = [];
  const title = input.title.trim();
  if (!title) errors.push(fieldError('/title', 'required', 'An article needs a title.'));
  if (title.length > MAX_TITLE)
    errors.push(fieldError('/title', 'too_long', `A title has at most ${MAX_TITLE} characters.`));
  if (input.body.length > MAX_BODY)
    errors.push(fieldError('/body', 'too_long', `A body has at most ${MAX_BODY} characters.`));
  const categoryPath = (input.categoryPath ?? '')
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean)
    .join('/');
  if (categoryPath.split('/').length > 4)
    errors.push(fieldError('/categoryPath', 'too_deep', 'A category path has at most four levels.'));
  if (input.visibility != null && !(KB_VISIBILITIES as readonly string[]).includes(input.visibility))
    errors.push(fieldError('/visibility', 'unknown', 'An article is internal or public.'));
  if (errors.length) throw new ValidationFailed(errors);
  return { title, body: input.body, categoryPath };
}

/** Creates an article or changes its draft (what readers see changes when it is published). Needs template.manage. */
export async function saveKbArticle(
  em: EntityManager,
  principal: Principal | null,
  input: SaveArticleInput,
): Promise<KbArticle> {
  const editor = requireKnowledgeEditor(principal);
  const { title, body, categoryPath } = checkArticle(input);
  const visibility = (input.visibility as KbArticle['visibility'] | null) ?? undefined;
  if (input.id == null) {
    const article = em.create(KbArticle, {
      draftTitle: title,
      draftBody: body,
      categoryPath,
      visibility: visibility ?? 'internal',
      createdBy: editor.userId,
    } as never);
    await em.flush();
    return article;
  }
  const article = await em.findOne(KbArticle, { id: Number(input.id) });
  if (!article) throw new NotFoundError(`Article ${input.id}`, '/id');
  article.draftTitle = title;
  article.draftBody = body;
  article.categoryPath = categoryPath;
  if (visibility) article.visibility = visibility;
  article.updatedAt = new Date();
  await em.flush();
  return article;
}

/** Publishes an article's draft as its next version: search, suggestions and the portal read it from now on. */
export async function publishKbArticle(
  em: EntityManager,
  principal: Principal | null,
  id: number | string,
): Promise<KbArticle> {
  const editor = requireKnowledgeEditor(principal);
  return em.transactional(async (tx) => {
    const article = await tx.findOne(KbArticle, { id: Number(id) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!article) throw new NotFoundError(`Article ${id}`, '/id');
    const version = (article.publishedVersion ?? 0) + 1;
    tx.create(KbArticleVersion, {
      article: article.id,
      version,
      title: article.draftTitle,
      body: article.draftBody,
      categoryPath: article.categoryPath,
      visibility: article.visibility,
      publishedBy: editor.userId,
    } as never);
    Object.assign(article, {
      publishedVersion: version,
      title: article.draftTitle,
      body: article.draftBody,
      publishedAt: new Date(),
      updatedAt: new Date(),
    });
    await tx.flush();
    return article;
  });
}

/** An article the principal may read: staff any, customers and visitors published public ones. */
export async function kbArticle(
  em: EntityManager,
  principal: Principal | null,
  id: number | string,
): Promise<KbArticle | null> {
  if (!/^\d{1,9}$/.test(String(id))) return null;
  const article = await em.findOne(KbArticle, { id: Number(id) });
  if (!article) return null;
  if (maySeeInternals(principal)) return article;
  return article.publishedVersion !== null && kbVisibilities(principal).includes(article.visibility)
    ? article
    : null;
}

const pageSize = (first: number | null | undefined, fallback: number): number => {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw new ValidationFailed([fieldError('/first', 'out_of_range', `Ask for 1 to ${MAX_PAGE} articles.`)]);
  return n;
};

/** Published articles matching a search text, best first (Chinese words too). */
export function searchKb(
  em: EntityManager,
  principal: Principal | null,
  input: { text: string; categoryPath?: string | null; first?: number | null },
): Promise<KbHit[]> {
  return searchArticles(em, {
    text: input.text,
    visibilities: kbVisibilities(principal),
    categoryPath: input.categoryPath ?? null,
    first: pageSize(input.first, 20),
  });
}

/** Articles to suggest while a ticket's title or a reply is typed. */
export function suggestKb(
  em: EntityManager,
  principal: Principal | null,
  input: { text: string; first?: number | null },
): Promise<KbHit[]> {
  return suggestArticles(em, {
    text: input.text.slice(0, 500),
    visibilities: kbVisibilities(principal),
    first: pageSize(input.first, 5),
  });
}

/** Records that an article was used on a ticket the principal may see (once; on its timeline). */
export async function linkKbArticle(
  deps: { tickets: TicketStore },
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: { articleId: number | string; ticketId: number | string },
): Promise<KbArticle> {
  const p = requireSignedIn(principal);
  return em.transactional(async (tx) => {
    const ticket = await findVisibleTicket(tx, p, { id: input.ticketId });
    const article = await kbArticle(tx, p, input.articleId);
    if (!article || article.publishedVersion === null)
      throw new NotFoundError(`Article ${input.articleId}`, '/articleId');
    const isNew = await linkArticle(tx, {
      articleId: article.id,
      ticketId: String(ticket.id),
      userId: p.kind === 'user' ? p.userId : null,
    });
    if (isNew)
      await deps.tickets.append(tx, [
        {
          ticketId: ticket.id,
          kind: 'kb.linked',
          body: article.title,
          diff: { article: { from: null, to: article.id } },
          isPublic: false,
          actor: actorOf(p, channel),
        },
      ]);
    return article;
  });
}
