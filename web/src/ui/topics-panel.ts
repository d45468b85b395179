import { checkTopicMessage, type SwitchboardClient, SwitchboardClientError } from '@switchboard/client';
import { card, field, formatTime, h, stickToBottom } from './dom';

const TOPIC_PATTERN = '[A-Za-z0-9_\\-.:/]{1,128}';
const MAX_LOG_ROWS = 500;

/** Subscribe / unsubscribe, the subscriptions, a publish form (JSON or text) and the message log. */
export function mountTopicsPanel(root: HTMLElement, client: SwitchboardClient, notify: (text: string) => void): void {
  const { card: panel, body } = card('Topics', 'topics-panel');
  /** Runs a client call; input the client refuses (a bad topic, a message too large) is said in words. */
  const attempt = <T>(call: () => T): T | undefined => {
    try {
      return call();
    } catch (error) {
      if (!(error instanceof SwitchboardClientError)) throw error;
      notify(error.message);
      return undefined;
    }
  };

  const topicInput = h('input', {
    type: 'text',
    pattern: TOPIC_PATTERN,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-testid': 'topic-input',
    placeholder: 'e.g. news/sport',
  });
  const subscribeForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Subscribe to a topic' },
    field('Topic', topicInput),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'subscribe' }, 'Subscribe'),
  );
  const subscriptions = h('ul', { class: 'chips', 'data-testid': 'subscription-list', 'aria-label': 'Subscriptions' });
  const noSubscriptions = h('p', { class: 'muted empty' }, 'No subscriptions yet.');

  const publishTopic = h('input', {
    type: 'text',
    pattern: TOPIC_PATTERN,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-testid': 'publish-topic',
  });
  const format = h(
    'select',
    { 'data-testid': 'publish-format' },
    h('option', { value: 'text' }, 'Text'),
    h('option', { value: 'json' }, 'JSON'),
  );
  const messageInput = h('textarea', { rows: 2, required: true, 'data-testid': 'publish-message' });
  const publishStatus = h('p', { class: 'muted', 'data-testid': 'publish-status', 'aria-live': 'polite' });
  const publishForm = h(
    'form',
    { class: 'publish-form', 'aria-label': 'Publish a message' },
    h('div', { class: 'row' }, field('Publish to', publishTopic), field('Format', format)),
    field('Message', messageInput, 'Enter publishes; Shift+Enter for a new line.'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', 'data-testid': 'publish' }, 'Publish')),
    publishStatus,
  );

  const log = h('ol', {
    class: 'log topic-log',
    'data-testid': 'topic-log',
    'aria-live': 'polite',
    'aria-label': 'Topic messages',
  });
  const logBox = h('div', { class: 'log-box', tabindex: 0, 'aria-label': 'Topic messages' }, log);

  body.append(subscribeForm, subscriptions, noSubscriptions, publishForm, h('h3', {}, 'Messages'), logBox);
  root.append(panel);

  subscribeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const topic = topicInput.value.trim();
    if (!topicInput.checkValidity()) {
      notify('A topic name is 1 to 128 characters of letters, digits and _ - . : /');
      return;
    }
    if (!attempt(() => client.subscribe(topic))) return;
    if (!publishTopic.value) publishTopic.value = topic;
    topicInput.value = '';
  });

  const publish = () => {
    const topic = publishTopic.value.trim();
    if (!publishTopic.checkValidity()) {
      notify('Choose a valid topic to publish to.');
      publishTopic.focus();
      return;
    }
    let message: unknown = messageInput.value;
    if (format.value === 'json') {
      try {
        message = JSON.parse(messageInput.value);
      } catch {
        notify('That message is not valid JSON. Choose “Text” to send it as it is.');
        messageInput.setAttribute('aria-invalid', 'true');
        return;
      }
    } else if (messageInput.value.trim() === '') {
      return;
    }
    const problem = checkTopicMessage(message);
    if (problem) {
      notify(problem);
      messageInput.setAttribute('aria-invalid', 'true');
      return;
    }
    messageInput.removeAttribute('aria-invalid');
    const ticket = attempt(() => client.publish(topic, message));
    if (!ticket) return;
    publishStatus.dataset.pendingId = ticket.id;
    publishStatus.textContent =
      client.status === 'connected' ? `Publishing to ${topic}…` : `Queued for ${topic}; sends on reconnect.`;
    messageInput.value = '';
  };
  publishForm.addEventListener('submit', (event) => {
    event.preventDefault();
    publish();
  });
  messageInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      publish();
    }
  });

  client.on('topics', (topics) => {
    subscriptions.replaceChildren(
      ...topics.map((topic) => {
        const button = h(
          'button',
          {
            type: 'button',
            class: 'chip-remove',
            'data-testid': 'unsubscribe',
            'aria-label': `Unsubscribe from ${topic}`,
          },
          '×',
        );
        button.addEventListener('click', () => client.unsubscribe(topic));
        return h(
          'li',
          { class: 'chip', 'data-testid': 'subscription', 'data-topic': topic },
          h('span', {}, topic),
          button,
        );
      }),
    );
    noSubscriptions.hidden = topics.length > 0;
  });
  client.on('subscribed', (frame) => {
    const chip = subscriptions.querySelector<HTMLElement>(`[data-topic="${CSS.escape(frame.topic)}"]`);
    if (chip) chip.dataset.confirmed = 'true';
  });
  client.on('publishOutcome', (outcome) => {
    if (publishStatus.dataset.pendingId !== outcome.id) return;
    publishStatus.textContent =
      outcome.status === 'acked'
        ? `Published to ${outcome.topic} as #${outcome.seq}.`
        : `Not published to ${outcome.topic}: ${outcome.error.message} Try again.`;
  });

  const append = (row: HTMLElement) =>
    stickToBottom(logBox, () => {
      log.append(row);
      while (log.childElementCount > MAX_LOG_ROWS) log.firstElementChild?.remove();
    });

  /**
   * A topic message goes before the first shown message of its topic with a higher seq: deliveries of a
   * large topic come from parallel workers and may arrive out of order (docs/protocol.md).
   */
  const placeBySeq = (row: HTMLElement, topic: string, seq: number) =>
    stickToBottom(logBox, () => {
      const later = [...log.children].find((child) => {
        const data = (child as HTMLElement).dataset;
        return data.topic === topic && Number(data.seq) > seq;
      });
      log.insertBefore(row, later ?? null);
      while (log.childElementCount > MAX_LOG_ROWS) log.firstElementChild?.remove();
    });

  client.on('topicMessage', (frame) => {
    placeBySeq(
      h(
        'li',
        { class: 'log-row', 'data-testid': 'topic-message', 'data-topic': frame.topic, 'data-seq': frame.seq },
        h(
          'div',
          { class: 'meta' },
          h('span', { class: 'tag' }, frame.topic),
          h('span', {}, `#${frame.seq}`),
          h('span', {}, frame.from === null ? 'HTTP API' : frame.from === client.session?.userId ? 'you' : frame.from),
          h('time', { datetime: frame.sentAt }, formatTime(frame.sentAt)),
        ),
        h('pre', { class: 'payload' }, render(frame.message)),
      ),
      frame.topic,
      frame.seq,
    );
  });
  client.on('direct', (frame) => {
    append(
      h(
        'li',
        { class: 'log-row direct', 'data-testid': 'direct-message' },
        h(
          'div',
          { class: 'meta' },
          h('span', { class: 'tag' }, 'direct'),
          h('time', { datetime: frame.sentAt }, formatTime(frame.sentAt)),
        ),
        h('pre', { class: 'payload' }, render(frame.message)),
      ),
    );
  });
}

function render(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message, null, 2);
}
