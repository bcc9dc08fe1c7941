package viz

import (
	"hash/fnv"
	"sort"
)

// palette is the services' categorical palette: OKLCH hues 30° apart. The
// page's CSS gives them one lightness and chroma per colour scheme (light
// and dark, chosen so every hue is inside sRGB), so that hue alone tells
// services apart and two hues far apart stay far apart in both schemes.
// The order steps 150° at a time: when a service's own hue is taken, the
// next one tried is far from it.
var palette = []int{25, 175, 325, 115, 265, 55, 205, 355, 145, 295, 85, 235}

// MinHueDistance is how far apart (degrees of OKLCH hue) ServiceHues keeps
// the services of a lab when it can: always for up to four services (each
// chosen hue rules out three of the twelve), as in the classic lab.
const MinHueDistance = 60

// Hue is a service's own colour: a palette hue picked by a hash of its
// name, so it is the same across reloads and machines.
func Hue(service string) int { return palette[preferred(service)] }

func preferred(service string) int {
	h := fnv.New32a()
	h.Write([]byte(service))
	return int(h.Sum32() % uint32(len(palette)))
}

// ServiceHues gives each service a hue, its own (Hue) unless one already
// given is nearer than MinHueDistance; then the next palette hue that is far
// enough, or failing that the farthest. Services are taken in name order,
// so the same services get the same hues on every reload, and a service
// added later in that order changes no other's colour.
func ServiceHues(services []string) map[string]int {
	names := append([]string(nil), services...)
	sort.Strings(names)
	hues := make(map[string]int, len(names))
	var taken []int
	for _, name := range names {
		if _, done := hues[name]; done {
			continue
		}
		best, bestDist := -1, -1
		for i := range palette {
			hue := palette[(preferred(name)+i)%len(palette)]
			d := nearest(hue, taken)
			if d >= MinHueDistance {
				best = hue
				break
			}
			if d > bestDist {
				best, bestDist = hue, d
			}
		}
		hues[name] = best
		taken = append(taken, best)
	}
	return hues
}

// nearest is the distance from hue to the nearest of taken (360 if none).
func nearest(hue int, taken []int) int {
	d := 360
	for _, t := range taken {
		d = min(d, HueDistance(hue, t))
	}
	return d
}

// HueDistance is the angle between two hues, 0-180.
func HueDistance(a, b int) int {
	d := (a - b) % 360
	if d < 0 {
		d += 360
	}
	return min(d, 360-d)
}
