import type { ZmqDeserializer, ZmqSerializer } from './interfaces/zmq-socket-options.interface.js';

/** The default body codec: JSON text, UTF-8. */
export class JsonSerializer implements ZmqSerializer {
  serialize(value: unknown): string {
    return JSON.stringify(value) ?? 'null';
  }
}

export class JsonDeserializer implements ZmqDeserializer {
  deserialize(body: Buffer): unknown {
    return JSON.parse(body.toString('utf8'));
  }
}
