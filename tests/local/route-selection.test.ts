import { selectRoute } from '../../src/local/route-selection';

const routes = new Set(['$connect', '$default', 'publish', 'nested']);
const select = (frame: string, expression = '$request.body.action', keys = routes) =>
  selectRoute(expression, Buffer.from(frame), false, keys);

describe('route selection', () => {
  it('picks the route named by the expression', () => {
    expect(select('{"action":"publish"}')).toBe('publish');
  });

  it('follows a nested path', () => {
    expect(select('{"meta":{"kind":"nested"}}', '$request.body.meta.kind')).toBe('nested');
  });

  it.each(['not json', '[1,2]', '{"topic":"t"}', '{"action":"unknown"}', '{"action":"$connect"}', '"publish"'])(
    'sends %s to $default',
    (frame) => expect(select(frame)).toBe('$default'),
  );

  it('sends binary frames to $default', () => {
    expect(selectRoute('$request.body.action', Buffer.from('{"action":"publish"}'), true, routes)).toBe('$default');
  });

  it('matches nothing without a $default route', () => {
    expect(select('{"action":"unknown"}', '$request.body.action', new Set(['publish']))).toBeNull();
  });
});
