import { type NumberPatternPart, parseNumberPattern, type TemplateContent } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { TtlCache } from '../auth/ttl-cache.ts';
import { latestPublishedRow, ticketNumberSequence } from './template-repository.ts';

export type PublishedTemplate = {
  templateId: number;
  key: string;
  versionId: number;
  version: number;
  content: TemplateContent;
  numberPattern: NumberPatternPart[];
  /** The workflow version this template version pins; null when tickets run no workflow. */
  workflowVersionId: number | null;
};

/**
 * The newest published version of each template, as ticket creation needs it. Published versions
 * never change, so only "which version is newest" can go stale: publishing in this process clears
 * it at once, other processes pick it up within two seconds.
 */
export class TemplateCatalog {
  private readonly latest = new TtlCache<string, PublishedTemplate | null>(2_000);
  /** Bumped by invalidate: a read that ran across a publish is not cached. */
  private generation = 0;

  async latestPublished(
    em: EntityManager,
    ref: { id?: number; key?: string },
  ): Promise<PublishedTemplate | null> {
    const cacheKey = ref.id !== undefined ? `id:${ref.id}` : `key:${ref.key}`;
    const hit = this.latest.get(cacheKey);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const row = await latestPublishedRow(em, ref);
    let found: PublishedTemplate | null = null;
    if (row) {
      const parts = parseNumberPattern(row.content.numberPattern);
      if (!Array.isArray(parts)) throw new Error(`Published template ${row.key} has a bad number pattern`);
      found = {
        templateId: row.id,
        key: row.key,
        versionId: row.vid,
        version: row.version,
        content: row.content,
        numberPattern: parts,
        workflowVersionId: row.workflow_version_id,
      };
    }
    if (generation === this.generation) this.latest.set(cacheKey, found);
    return found;
  }

  invalidate(): void {
    this.generation++;
    this.latest.clear();
  }
}

// create-ticket.ts names the sequence through this module.
export { ticketNumberSequence };
