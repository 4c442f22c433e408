#pragma once

#include "server/encodedframe.h"

class Session;

// One outgoing room event in each wire form, each serialised and framed once: JSON for
// Confab clients, and a plain line for guests (plain WebSocket clients). `plain` is empty
// for events guests do not see.
struct FanoutFrames
{
    EncodedFrame json;
    EncodedFrame plain;
};

// Room -> recipients. The room hands each event to the fan-out, which delivers the same
// bytes to every member. Behind this interface a second thread or a backplane between
// several servers can come in without touching sessions or the room.
class Fanout
{
public:
    virtual ~Fanout() = default;
    virtual void add(Session *session) = 0;
    virtual void remove(Session *session) = 0;
    virtual void deliver(const FanoutFrames &frames) = 0;
    virtual int size() const = 0;
    virtual bool hasGuests() const = 0; // whether a plain form is worth making
};
