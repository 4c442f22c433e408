#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

// A QR code of a short text (a link to open on a phone), made with libqrencode and drawn
// as crisp black modules on white with the four-module quiet zone scanners need. Each
// module is a whole number of pixels, so the code never blurs; the code is centred in
// whatever space the layout gives.
class QrCodeWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QrCodeWidget)

public:
    static constexpr int QuietZone = 4; // modules of white around the code

    explicit QrCodeWidget(QWidget *parent = nullptr);
    ~QrCodeWidget() override;

    // Encodes `text` as UTF-8 bytes, error correction level M. False (and an empty code)
    // when it cannot be encoded, e.g. too long for a QR code.
    bool setText(const QString &text);
    QString text() const { return m_text; }

    // Modules per side, without the quiet zone; 0 when there is no code.
    int moduleCount() const { return m_size; }
    bool isDark(int x, int y) const;
    // The code with its quiet zone, `scale` pixels per module.
    QImage image(int scale) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
    QVector<bool> m_modules; // row by row
    int m_size = 0;
};
