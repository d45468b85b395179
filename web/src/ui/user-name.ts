import { userTag } from '@switchboard/client';
import { h } from './dom';

/**
 * A user's name as the page shows it everywhere: the name, isolated so that right-to-left text in it
 * cannot reorder what stands around it, then the user's tag, which tells apart users with the same or
 * look-alike names (see `userTag`).
 */
export function userName(user: { userId: string; name: string }, suffix = ''): HTMLElement {
  return h(
    'span',
    { class: 'user-name' },
    h('bdi', {}, user.name),
    suffix,
    ' ',
    h(
      'span',
      {
        class: 'user-tag',
        'data-testid': 'user-tag',
        title: 'Drawn from this user’s id: a different tag is a different user',
      },
      userTag(user.userId),
    ),
  );
}
