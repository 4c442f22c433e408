#include "app/ui/qrcodewidget.h"

#include <QPainter>

#include <qrencode.h>

namespace {
constexpr int PreferredScale = 4;
} // namespace

QrCodeWidget::QrCodeWidget(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QrCodeWidget::~QrCodeWidget() = default;

bool QrCodeWidget::setText(const QString &text)
{
    m_text = text;
    m_modules.clear();
    m_size = 0;
    const QByteArray bytes = text.toUtf8();
    // Version 0: the smallest that holds the text; QR_MODE_8 with case sensitivity keeps
    // the bytes exactly as given.
    QRcode *code = bytes.isEmpty()
        ? nullptr
        : QRcode_encodeString(bytes.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code) {
        m_size = code->width;
        m_modules.resize(m_size * m_size);
        // Bit 0 of each byte is the module's colour; the other bits say what it is for.
        for (int i = 0; i < m_size * m_size; ++i)
            m_modules[i] = code->data[i] & 1;
        QRcode_free(code);
    }
    updateGeometry();
    update();
    return m_size > 0;
}

bool QrCodeWidget::isDark(int x, int y) const
{
    if (x < 0 || y < 0 || x >= m_size || y >= m_size)
        return false;
    return m_modules.at(y * m_size + x);
}

QImage QrCodeWidget::image(int scale) const
{
    scale = qMax(1, scale);
    const int side = (m_size + 2 * QuietZone) * scale;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (isDark(x, y))
                painter.fillRect((x + QuietZone) * scale, (y + QuietZone) * scale, scale, scale,
                                 Qt::black);
        }
    }
    return image;
}

QSize QrCodeWidget::sizeHint() const
{
    const int side = (qMax(m_size, 21) + 2 * QuietZone) * PreferredScale;
    return { side, side };
}

QSize QrCodeWidget::minimumSizeHint() const
{
    const int side = qMax(m_size, 21) + 2 * QuietZone;
    return { side, side };
}

void QrCodeWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_size == 0)
        return;
    const int modules = m_size + 2 * QuietZone;
    // Whole pixels per module (at least one), centred: scaling a drawn image would smear
    // the edges that a camera looks for.
    const int scale = qMax(1, qMin(width(), height()) / modules);
    const QImage code = image(scale);
    painter.drawImage(QPoint((width() - code.width()) / 2, (height() - code.height()) / 2), code);
}
