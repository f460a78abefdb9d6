#!/usr/bin/env python3
"""Speaks the CloudEvents Kafka protocol binding through the official Python SDK (`cloudevents` on PyPI),
for the interoperability tests. Messages travel as JSON lines: {"key", "headers": [[name, base64]], "value": base64}.

  encode: reads {"mode": "binary"|"structured", "key", "attributes": {...}, "data": {...}} lines and prints
          the Kafka messages the SDK makes of them (to_binary / to_structured).
  decode: reads Kafka message lines and parses each with the SDK's from_structured, checking the required
          attributes; prints {"parsed": n, "errors": [...]}.
"""
import base64
import json
import sys

try:  # SDK 2.x keeps the 1.x API under cloudevents.v1
    from cloudevents.v1.http import CloudEvent
    from cloudevents.v1 import kafka
except ImportError:  # SDK 1.x
    from cloudevents.http import CloudEvent
    from cloudevents import kafka


def encode_line(request):
    event = CloudEvent(request["attributes"], request["data"])
    convert = kafka.to_binary if request["mode"] == "binary" else kafka.to_structured
    message = convert(event, key_mapper=lambda _: request["key"])
    return {
        "key": message.key,
        "headers": [[name, base64.b64encode(value).decode("ascii")] for name, value in message.headers.items()],
        "value": base64.b64encode(message.value).decode("ascii"),
    }


def decode_line(line):
    headers = {name: base64.b64decode(value) for name, value in line["headers"]}
    message = kafka.KafkaMessage(headers, line["key"], base64.b64decode(line["value"]))
    event = kafka.from_structured(message)
    for attribute in ("specversion", "id", "source", "type", "time", "subject"):
        if not event.get(attribute):
            raise ValueError(f"attribute {attribute} is missing")
    if event["specversion"] != "1.0":
        raise ValueError(f"specversion {event['specversion']}")
    if not isinstance(event.get_data(), dict):
        raise ValueError("data is not an object")
    return event


def main():
    command = sys.argv[1]
    lines = [json.loads(text) for text in sys.stdin if text.strip()]
    if command == "encode":
        for request in lines:
            print(json.dumps(encode_line(request)))
    elif command == "decode":
        errors = []
        parsed = 0
        for line in lines:
            try:
                decode_line(line)
                parsed += 1
            except Exception as error:  # report every refusal, not just the first
                errors.append(f"{type(error).__name__}: {error}")
        print(json.dumps({"parsed": parsed, "errors": errors}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
