import { ValidationFailed } from '@docket/core';
import { forkEm } from '@docket/db';
import Router from '@koa/router';
import type { Context } from 'koa';
import { readBody } from '../http/read-body.ts';
import type { Services } from '../services.ts';
import type { RatingLinkProblem } from './csat-service.ts';

type Lang = 'en' | 'zh-CN';

const TEXT = {
  en: {
    title: 'Rate our service',
    ticket: 'Ticket',
    question: 'How satisfied are you with how this ticket was handled?',
    good: 'Good',
    bad: 'Bad',
    stars: [
      '1 – very dissatisfied',
      '2 – dissatisfied',
      '3 – neutral',
      '4 – satisfied',
      '5 – very satisfied',
    ],
    comment: 'Comment (optional)',
    send: 'Send rating',
    thanks: 'Thank you! Your rating has been recorded.',
    pick: 'Choose a score first.',
    problems: {
      forged: 'This rating link is not valid. Please use the link from your message as it was sent.',
      used: 'This ticket has already been rated through this link. Thank you!',
      expired: 'This rating link has expired. Contact us if you would still like to tell us how we did.',
    } satisfies Record<RatingLinkProblem, string>,
  },
  'zh-CN': {
    title: '服务评价',
    ticket: '工单',
    question: '您对本工单的处理满意吗？',
    good: '满意',
    bad: '不满意',
    stars: ['1 - 非常不满意', '2 - 不满意', '3 - 一般', '4 - 满意', '5 - 非常满意'],
    comment: '意见（选填）',
    send: '提交评价',
    thanks: '感谢您的评价，已记录。',
    pick: '请先选择评分。',
    problems: {
      forged: '此评价链接无效，请使用消息中的原始链接。',
      used: '此工单已通过该链接评价过，感谢您的反馈！',
      expired: '此评价链接已过期。如仍想反馈，请联系我们。',
    } satisfies Record<RatingLinkProblem, string>,
  },
};

function langOf(ctx: Context): Lang {
  const asked = String(ctx.query.lang ?? ctx.get('accept-language') ?? '');
  return /^zh|[,;\s]zh/i.test(asked) && !/^en/i.test(asked) ? 'zh-CN' : 'en';
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(lang: Lang, body: string, state: string): string {
  const t = TEXT[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}.box{border:1px solid #d0d7de;border-radius:8px;padding:1.2rem}
label{display:block;margin:.4rem 0}textarea{width:100%;min-height:5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}.note{color:#57606a}
</style></head>
<body><main class="box" data-state="${state}"><h1>${t.title}</h1>${body}</main></body></html>`;
}

/**
 * The rating page at /rate/<token>, served by the server (no login, no script): the form, the
 * thanks, or a clear page for a link that is forged (404), used or expired (410), in English or
 * Chinese as the browser asks (?lang=zh-CN or ?lang=en to choose).
 */
export function ratingPageRoutes(services: Services): Router {
  const router = new Router();
  const send = (ctx: Context, status: number, lang: Lang, body: string, state: string) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('cache-control', 'no-store');
    ctx.set('referrer-policy', 'no-referrer');
    ctx.body = page(lang, body, state);
  };
  const refused = (ctx: Context, lang: Lang, problem: RatingLinkProblem) =>
    send(ctx, problem === 'forged' ? 404 : 410, lang, `<p>${TEXT[lang].problems[problem]}</p>`, problem);

  router.get('/rate/:token', async (ctx) => {
    const lang = langOf(ctx);
    const t = TEXT[lang];
    const state = await services.csat.view(forkEm(services.db), ctx.params.token ?? '');
    if (state.kind === 'refused') return refused(ctx, lang, state.problem);
    const choices =
      state.rating.scale === 'five'
        ? [5, 4, 3, 2, 1].map(
            (n) => `<label><input type="radio" name="score" value="${n}" required> ${t.stars[n - 1]}</label>`,
          )
        : [
            `<label><input type="radio" name="score" value="1" required> ${t.good}</label>`,
            `<label><input type="radio" name="score" value="0" required> ${t.bad}</label>`,
          ];
    send(
      ctx,
      200,
      lang,
      `<p class="note">${t.ticket} ${escapeHtml(state.ticket.number)} · ${escapeHtml(state.ticket.title)}</p>
<form method="post" action="/rate/${encodeURIComponent(ctx.params.token ?? '')}?lang=${lang}">
<p>${t.question}</p>${choices.join('\n')}
<label>${t.comment}<br><textarea name="comment" maxlength="2000"></textarea></label>
<button type="submit">${t.send}</button></form>`,
      'open',
    );
  });

  router.post('/rate/:token', async (ctx) => {
    const lang = langOf(ctx);
    const form = new URLSearchParams((await readBody(ctx.req, 16_384)).toString('utf8'));
    const raw = form.get('score');
    const score = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
    try {
      const result = await services.csat.rate(forkEm(services.db), ctx.params.token ?? '', {
        score,
        comment: form.get('comment'),
      });
      if (result.kind === 'refused') return refused(ctx, lang, result.problem);
      send(ctx, 200, lang, `<p>${TEXT[lang].thanks}</p>`, 'rated');
    } catch (e) {
      if (!(e instanceof ValidationFailed)) throw e;
      send(ctx, 400, lang, `<p>${TEXT[lang].pick}</p><p><a href="?lang=${lang}">↩</a></p>`, 'invalid');
    }
  });
  return router;
}
