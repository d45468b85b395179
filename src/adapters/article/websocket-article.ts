/**
 * The tele-read article bundled with Switchboard, written for this project. Plain text so that a cursor
 * counts characters a reader sees; bundled as a module so that every runtime (Lambda, tsx, jest) loads
 * it the same way without a file-system read.
 */
export const WEBSOCKET_ARTICLE = {
  title: 'WebSockets, briefly',
  revision: 'bundled-1',
  text: `WebSockets, briefly

For most of its life the web spoke in turns. A browser asked, a server answered, and the line went quiet until the browser asked again. That rhythm suits documents, but it fits poorly with anything that changes while you look at it: a chat, a scoreboard, a shared drawing, a train that is running late. Developers worked around it for years. They polled every few seconds and threw most of the answers away. They held requests open for as long as a proxy would allow and answered only when something happened. They streamed endless responses and parsed them piece by piece. Each trick worked somewhere and broke somewhere else.

The WebSocket protocol, standardised in 2011, gave the web a proper two-way line. A connection starts life as an ordinary HTTP request that asks to be upgraded. If the server agrees, it answers with status 101, and from then on the same TCP connection carries frames in both directions, whenever either side has something to say. There is no request and no response any more, only messages. A frame carries a little header, a length and a payload, which is either text in UTF-8 or raw binary. Control frames keep the line healthy: a ping asks whether the other side is still there, a pong answers, and a close frame ends the conversation with a numeric code and a short reason.

Because the upgrade is plain HTTP, WebSockets pass through the same ports, load balancers and certificates as the rest of a site. The scheme ws:// runs in the clear and wss:// runs inside TLS, which is the one to use on the public internet, not least because many middleboxes interfere with anything they can read.

Holding thousands of open connections used to mean running servers that never stopped. Managed gateways changed that. A gateway keeps the sockets open and turns each event into a function call: one when a client connects, one for every message, one when it leaves. The function does its work and returns, and nothing runs while the line is idle. To talk back, the function calls the gateway with the connection's id and the gateway writes the frame to the socket. If the id belongs to a client that has gone away, the gateway says so with status 410, and a careful program forgets that connection instead of trying again.

Serverless WebSockets bring their own rules. A connection that stays silent for ten minutes is closed, so clients send a ping now and then. No connection lives longer than two hours, so clients must expect to reconnect, and a good design makes reconnecting cheap: the client presents a token, the server recognises the user and picks up where they left off. Each frame is limited in size, so large payloads travel by reference. And because every message may be handled by a different instance of the function, all state that matters lives in a database rather than in memory.

State is also what makes broadcasting interesting. Sending one message to ten thousand listeners means reading ten thousand connection ids and making ten thousand calls. Reading them page by page keeps memory flat. Sending with a bounded number of calls in flight keeps the function from exhausting its sockets while still finishing in a fraction of the time a simple loop would take. Numbering each message lets a client that dropped off for a moment ask for exactly what it missed.

None of this is exotic any more. The same few ideas, an open line, a token that survives a reconnect, a numbered log and a patient fan-out, are enough to build chat rooms, live dashboards, multiplayer games and collaborative editors. The rest is care: clear errors for bad input, nothing lost on the way, and a server that cleans up after the clients that leave without saying goodbye.
`,
} as const;
