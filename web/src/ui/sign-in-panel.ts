import { checkDisplayName } from '@switchboard/client';
import { card, field, h } from './dom';
import type { LocalSignIn } from './local-sign-in';

/**
 * Sign in / sign out, shown when `/config.json` says the server wants JWTs. Signed out: a user id, a name
 * and a token lifetime (short ones show the refresh at work). Signed in: who, and Sign out.
 */
export function mountSignInPanel(
  root: HTMLElement,
  signIn: LocalSignIn,
  on: { signedIn(): void; signedOut(): void },
): void {
  const { card: panel, body } = card('Sign in', 'sign-in-panel');
  const subInput = h('input', {
    type: 'text',
    // Checked on submit rather than by the browser, so the page says what is missing in its own words.
    'aria-required': 'true',
    maxlength: 128,
    autocomplete: 'username',
    spellcheck: 'false',
    'data-testid': 'sign-in-sub',
    placeholder: 'alice',
  });
  const nameInput = h('input', {
    type: 'text',
    maxlength: 40,
    autocomplete: 'nickname',
    'data-testid': 'sign-in-name',
    placeholder: 'Alice',
  });
  const ttlInput = h('input', {
    type: 'number',
    min: 10,
    max: 86_400,
    step: 1,
    inputmode: 'numeric',
    value: 3600,
    'data-testid': 'sign-in-ttl',
  });
  const problem = h('p', { class: 'muted', 'data-testid': 'sign-in-problem', role: 'alert' });
  const form = h(
    'form',
    { class: 'connection-form', 'aria-label': 'Sign in' },
    field('User', subInput),
    field('Name', nameInput),
    field('Token lifetime (s)', ttlInput),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'sign-in' }, 'Sign in'),
    ),
  );
  const who = h('code', { 'data-testid': 'signed-in-as' });
  const signOutButton = h('button', { type: 'button', 'data-testid': 'sign-out' }, 'Sign out');
  const signedInRow = h(
    'div',
    { class: 'identity' },
    h('span', { class: 'muted' }, 'Signed in as'),
    who,
    signOutButton,
  );
  body.append(
    h('p', { class: 'muted' }, 'This server wants a sign-in token. Locally, its test issuer signs one for any user.'),
    form,
    signedInRow,
    problem,
  );
  root.append(panel);

  const show = () => {
    const user = signIn.current();
    form.hidden = user !== undefined;
    signedInRow.hidden = user === undefined;
    panel.dataset.signedIn = String(user !== undefined);
    who.textContent = user ? `${user.name} (${user.sub})` : '';
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const sub = subInput.value.trim();
    const name = checkDisplayName(nameInput.value || sub);
    const ttlSeconds = Math.floor(Number(ttlInput.value));
    if (sub === '') problem.textContent = 'Enter a user id.';
    else if (!name.ok || name.name === undefined) problem.textContent = name.ok ? 'Enter a name.' : name.problem;
    else if (!(ttlSeconds >= 10 && ttlSeconds <= 86_400)) problem.textContent = 'A lifetime of 10 to 86,400 seconds.';
    else {
      problem.textContent = '';
      signIn.signIn({ sub, name: name.name, ttlSeconds });
      show();
      on.signedIn();
      return;
    }
    show();
  });
  signOutButton.addEventListener('click', () => {
    signIn.signOut();
    show();
    on.signedOut();
  });
  show();
}
