#pragma once

#include "server/fanout.h"

#include <QHash>
#include <QList>

// Fan-out to the sessions of this process: flat arrays to walk (one per wire form) and an
// index for O(1) removal by swapping with the last.
class LocalFanout final : public Fanout
{
public:
    void add(Session *session) override;
    void remove(Session *session) override;
    void deliver(const FanoutFrames &frames) override;
    int size() const override { return int(m_json.size() + m_plain.size()); }
    bool hasGuests() const override { return !m_plain.isEmpty(); }

private:
    QList<Session *> &listFor(const Session *session);

    QList<Session *> m_json;
    QList<Session *> m_plain;
    QHash<Session *, qsizetype> m_index;
};
