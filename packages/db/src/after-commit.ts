import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/**
 * Work to do once a transaction has committed (pushing subscription events, say): never for a
 * change that rolls back, and never before other connections can read it. Outside a transaction
 * the work runs at once.
 */

type Transactor = { parentTransaction?: Transactor };

const pending = new WeakMap<object, (() => void)[]>();

/** The outermost transaction: savepoints commit with it. */
function rootOf(trx: Transactor): Transactor {
  let root = trx;
  while (root.parentTransaction) root = root.parentTransaction;
  return root;
}

export function afterCommit(em: EntityManager, work: () => void): void {
  const trx = em.getTransactionContext<Transactor>();
  if (!trx) {
    work();
    return;
  }
  const root = rootOf(trx);
  const list = pending.get(root);
  if (list) list.push(work);
  else pending.set(root, [work]);
}

const registered = new WeakSet<object>();

/** Runs the queued work when MikroORM reports a commit (and drops it on rollback). Once per ORM. */
export function runAfterCommitWork(orm: MikroORM, onError: (e: unknown) => void): void {
  const events = orm.em.getEventManager();
  if (registered.has(events)) return;
  registered.add(events);
  events.registerSubscriber({
    afterTransactionCommit: async ({ transaction }) => {
      if (!transaction) return;
      const list = pending.get(transaction as object);
      pending.delete(transaction as object);
      for (const work of list ?? []) {
        try {
          work();
        } catch (e) {
          onError(e);
        }
      }
    },
    afterTransactionRollback: async ({ transaction }) => {
      if (transaction) pending.delete(transaction as object);
    },
  });
}
