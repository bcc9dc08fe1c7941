package viz

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The classic lab's four services get pairwise distinct hues, at least
// MinHueDistance (60°) apart.
func TestClassicServicesGetDistinctHues(t *testing.T) {
	classic := []string{"echo", "echo_nginx", "echo_api", "visualizer_app"}
	hues := ServiceHues(classic)
	for i, a := range classic {
		for _, b := range classic[i+1:] {
			if d := HueDistance(hues[a], hues[b]); d < MinHueDistance {
				t.Errorf("%s (hue %d) and %s (hue %d) are %d° apart, want at least %d°", a, hues[a], b, hues[b], d, MinHueDistance)
			}
		}
	}
}

// Any four services are kept MinHueDistance apart, and the hues depend on
// the set, not on the order the engine lists services in.
func TestServiceHuesKeepFourApartWhateverTheNames(t *testing.T) {
	for n := range 500 {
		names := []string{fmt.Sprint("web", n), fmt.Sprint("api_", n*7), fmt.Sprint("db-", n%13), fmt.Sprint("s", n*31)}
		hues := ServiceHues(names)
		for i, a := range names {
			for _, b := range names[i+1:] {
				if d := HueDistance(hues[a], hues[b]); d < MinHueDistance {
					t.Fatalf("%v: %s and %s are %d° apart", hues, a, b, d)
				}
			}
		}
		reversed := ServiceHues([]string{names[3], names[2], names[1], names[0]})
		for _, name := range names {
			if reversed[name] != hues[name] {
				t.Fatalf("%s: hue %d in one order, %d in another", name, hues[name], reversed[name])
			}
		}
	}
}

// A service added after the others in name order changes no other's colour.
func TestAddingAServiceKeepsTheOthersColours(t *testing.T) {
	before := ServiceHues([]string{"echo", "echo_api", "echo_nginx"})
	after := ServiceHues([]string{"echo", "echo_api", "echo_nginx", "visualizer_app"})
	for name, hue := range before {
		if after[name] != hue {
			t.Errorf("%s: hue %d became %d", name, hue, after[name])
		}
	}
}

// Neighbours in the palette are far apart: the hue tried after a taken one
// is not its near twin.
func TestPaletteNeighboursAreFarApart(t *testing.T) {
	for i := range palette {
		if d := HueDistance(palette[i], palette[(i+1)%len(palette)]); d < 120 {
			t.Errorf("palette[%d]=%d and the next, %d, are %d° apart", i, palette[i], palette[(i+1)%len(palette)], d)
		}
	}
}

// In both colour schemes, with the lightness and chroma app.css gives each
// role, every palette colour is inside sRGB (no browser clipping moves
// it), and the classic services' accents (card border, legend swatch) are
// at least 0.08 apart in OKLab, four times a just-noticeable difference.
func TestServiceColoursInBothSchemes(t *testing.T) {
	css, err := webFS.ReadFile("web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	light, dark, ok := strings.Cut(string(css), "@media (prefers-color-scheme: dark)")
	if !ok {
		t.Fatal("app.css has no dark scheme")
	}
	hues := ServiceHues([]string{"echo", "echo_nginx", "echo_api", "visualizer_app"})
	for scheme, block := range map[string]string{"light": light, "dark": dark} {
		for _, role := range []string{"accent", "card", "card-ink"} {
			l, c := cssNumber(t, block, "--"+role+"-l"), cssNumber(t, block, "--"+role+"-c")
			for _, h := range palette {
				if r, g, b := oklchToLinearSRGB(l, c, float64(h)); !inUnit(r, g, b) {
					t.Errorf("%s %s: oklch(%g %g %d) is outside sRGB", scheme, role, l, c, h)
				}
			}
		}
		c := cssNumber(t, block, "--accent-c")
		for a, ha := range hues {
			for b, hb := range hues {
				if a < b {
					if d := okDistance(c, ha, hb); d < 0.08 {
						t.Errorf("%s scheme: %s and %s accents are %.3f apart in OKLab", scheme, a, b, d)
					}
				}
			}
		}
	}
}

func cssNumber(t *testing.T, css, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(name) + `:\s*([0-9.]+);`).FindStringSubmatch(css)
	if m == nil {
		t.Fatalf("app.css: no %s", name)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// okDistance is the OKLab distance of two colours of one lightness and
// chroma c: the chord between their hues.
func okDistance(c float64, h1, h2 int) float64 {
	return 2 * c * math.Sin(float64(HueDistance(h1, h2))*math.Pi/360)
}

// oklchToLinearSRGB follows Björn Ottosson's OKLab definition.
func oklchToLinearSRGB(L, C, h float64) (r, g, b float64) {
	a, bb := C*math.Cos(h*math.Pi/180), C*math.Sin(h*math.Pi/180)
	l := math.Pow(L+0.3963377774*a+0.2158037573*bb, 3)
	m := math.Pow(L-0.1055613458*a-0.0638541728*bb, 3)
	s := math.Pow(L-0.0894841775*a-1.2914855480*bb, 3)
	return 4.0767416621*l - 3.3077115913*m + 0.2309699292*s,
		-1.2684380046*l + 2.6097574011*m - 0.3413193965*s,
		-0.0041960863*l - 0.7034186147*m + 1.7076147010*s
}

func inUnit(v ...float64) bool {
	for _, x := range v {
		if x < -0.001 || x > 1.001 {
			return false
		}
	}
	return true
}
