import { TopicTracker } from '../../web/src/client/topic-tracker';

describe('TopicTracker', () => {
  it('takes a skipped seq as seen, so that a reconnect resumes after it instead of asking for it again', () => {
    const tracker = new TopicTracker();
    tracker.want('news');
    tracker.onSubscribed({ type: 'subscribed', topic: 'news', seq: 0 });

    tracker.accept({ topic: 'news', seq: 1 });
    tracker.accept({ topic: 'news', seq: 3 });
    const beforeSkip = tracker.resubscribeFrames();
    tracker.accept({ topic: 'news', seq: 2 });

    expect(beforeSkip).toEqual([{ action: 'subscribe', topic: 'news', since: 1 }]);
    expect(tracker.resubscribeFrames()).toEqual([{ action: 'subscribe', topic: 'news', since: 3 }]);
  });
});
