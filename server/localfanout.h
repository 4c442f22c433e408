#pragma once

#include "server/fanout.h"

#include <QHash>
#include <QList>

// Fan-out to the sessions of this process: a flat array to walk (cache-friendly) and an
// index for O(1) removal by swapping with the last.
class LocalFanout final : public Fanout
{
public:
    void add(Session *session) override;
    void remove(Session *session) override;
    void deliver(const QString &frame) override;
    int size() const override { return int(m_sessions.size()); }

private:
    QList<Session *> m_sessions;
    QHash<Session *, qsizetype> m_index;
};
