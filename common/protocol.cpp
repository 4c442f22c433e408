#include "common/protocol.h"

namespace Confab::Protocol {

QString formatTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime parseTime(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QDateTime now()
{
    return QDateTime::currentDateTimeUtc();
}

} // namespace Confab::Protocol
