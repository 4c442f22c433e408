#include "server/localfanout.h"

#include "server/session.h"

QList<Session *> &LocalFanout::listFor(const Session *session)
{
    return session->isGuest() ? m_plain : m_json;
}

void LocalFanout::add(Session *session)
{
    if (m_index.contains(session))
        return;
    QList<Session *> &list = listFor(session);
    m_index.insert(session, list.size());
    list.append(session);
}

void LocalFanout::remove(Session *session)
{
    const auto it = m_index.constFind(session);
    if (it == m_index.cend())
        return;
    const qsizetype pos = *it;
    m_index.erase(it);
    QList<Session *> &list = listFor(session);
    Session *last = list.takeLast();
    if (last != session) {
        list[pos] = last;
        m_index[last] = pos;
    }
}

void LocalFanout::deliver(const FanoutFrames &frames)
{
    for (Session *session : std::as_const(m_json))
        session->sendEncoded(frames.json);
    if (frames.plain.isEmpty())
        return;
    for (Session *session : std::as_const(m_plain))
        session->sendEncoded(frames.plain);
}
