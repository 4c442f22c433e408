#pragma once

#include <QString>

class Session;

// Room -> recipients. The room hands each outgoing frame, serialised once, to the fan-out,
// which delivers the same bytes to every member. Behind this interface a second thread or
// a backplane between several servers can come in without touching sessions or the room.
class Fanout
{
public:
    virtual ~Fanout() = default;
    virtual void add(Session *session) = 0;
    virtual void remove(Session *session) = 0;
    virtual void deliver(const QString &frame) = 0;
    virtual int size() const = 0;
};
