import { h } from './dom';

const MAX_NOTICES = 4;
const LIFETIME_MS = 10_000;

export type NoticeKind = 'error' | 'info';

/** A stack of dismissable messages, read out by screen readers. */
export function mountNotices(root: HTMLElement): (text: string, kind?: NoticeKind) => void {
  const list = h('ul', {
    class: 'notices',
    'data-testid': 'notices',
    'aria-live': 'assertive',
    'aria-relevant': 'additions',
  });
  root.append(list);
  return (text, kind = 'info') => {
    const close = h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss' }, '×');
    const item = h(
      'li',
      { class: `notice ${kind}`, 'data-testid': 'notice', 'data-kind': kind },
      h('span', {}, text),
      close,
    );
    close.addEventListener('click', () => item.remove());
    list.append(item);
    while (list.childElementCount > MAX_NOTICES) list.firstElementChild?.remove();
    setTimeout(() => item.remove(), LIFETIME_MS);
  };
}
